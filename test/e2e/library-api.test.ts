/**
 * golive from code, as an installed package: `import … from 'golive'` and `'golive/config'` through the
 * package's exports, in a process of its own. Each library call gives the exit code the CLI gives for the
 * same work, nothing reaches stdout unless the caller passes it in, and `golive/config` loads only itself.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, realpathSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { golive, tempDir } from '../helpers/cli.js';
import { projectWithGolive, REPO_ROOT } from '../helpers/installed-golive.js';
import { drill, runResult, writeResultsFolder } from '../helpers/synthetic-results.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const BAD_MANIFESTS = path.join(REPO_ROOT, 'test/fixtures/audit/bad.yaml');

/** Runs `code` as an ES module in `dir`, recording the URL of every module it loads (not blocking: the test's server answers meanwhile). */
async function runModule(dir: string, source: string, args: string[] = []): Promise<{ code: number | null; stdout: string; stderr: string; loaded: string[] }> {
  writeFileSync(
    path.join(dir, 'hooks.mjs'),
    `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  appendFileSync(${JSON.stringify(path.join(dir, 'loaded.log'))}, r.url + '\\n');
  return r;
}
`,
  );
  writeFileSync(path.join(dir, 'register.mjs'), "import { register } from 'node:module';\nregister('./hooks.mjs', import.meta.url);\n");
  writeFileSync(path.join(dir, 'loaded.log'), '');
  writeFileSync(path.join(dir, 'main.mjs'), source);
  const child = spawn(process.execPath, ['--import', pathToFileURL(path.join(dir, 'register.mjs')).href, path.join(dir, 'main.mjs'), ...args], {
    cwd: dir,
    env: { ...process.env, NO_COLOR: '1' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const [code] = (await once(child, 'close')) as [number | null];
  const loaded = readFileSync(path.join(dir, 'loaded.log'), 'utf8').split('\n').filter(Boolean);
  return { code, stdout, stderr, loaded };
}

describe('golive/config', () => {
  test('loads only its own file: no schema, no zod, no run, no platform', async () => {
    const dir = projectWithGolive();
    const r = await runModule(dir, "import { defineConfig } from 'golive/config';\nif (defineConfig({ name: 'x' }).name !== 'x') process.exit(1);\n");
    assert.equal(r.code, 0, r.stderr);
    const ours = r.loaded.filter((u) => u.startsWith('file:') && !u.endsWith('/main.mjs'));
    assert.deepEqual(ours, [pathToFileURL(realpathSync(path.join(REPO_ROOT, 'dist/config/define-config.js'))).href]);
    // The same hook sees what `golive` itself loads: the check above can fail.
    const whole = await runModule(dir, "import { defineConfig } from 'golive';\ndefineConfig({});\n");
    assert.equal(whole.code, 0, whole.stderr);
    assert.ok(whole.loaded.some((u) => u.includes('/node_modules/zod/')));
    assert.ok(whole.loaded.some((u) => u.includes('/dist/run/')));
    assert.ok(whole.loaded.some((u) => u.includes('/dist/platforms/')));
  });

  test("a config file importing defineConfig from 'golive/config' loads, wherever golive is installed", async () => {
    const cwd = tempDir();
    writeFileSync(
      path.join(cwd, 'golive.config.ts'),
      "import { defineConfig } from 'golive/config';\nexport default defineConfig({ target: { url: 'http://127.0.0.1:1' } });\n",
    );
    const r = await golive(['validate'], { cwd });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /✓ golive\.config\.ts is valid/);
  });
});

describe('the library beside run()', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  test('validate, run, report, compare, audit and recover: the CLI exit codes, nothing on stdout', async () => {
    const dir = projectWithGolive();
    // Two runs, the second with more downtime than the default tolerance allows.
    writeResultsFolder(path.join(dir, 'a'), runResult('a', [drill('app-update')]));
    writeResultsFolder(
      path.join(dir, 'b'),
      runResult('b', [drill('app-update', { downtime: { totalMs: 1200, longestMs: 1200, degradedMs: 0, windows: [] } })]),
    );
    const r = await runModule(
      dir,
      `import { writeFileSync } from 'node:fs';
import { audit, compare, exitCodeOf, exitCodeOfError, recover, report, run, validate } from 'golive';
const [url, manifests, out] = process.argv.slice(2);
const config = { name: 'lib', target: { url }, load: { rate: 20, duration: '1s', threads: 1 }, thresholds: ['rate(failed)<0.5'] };
const codes = {};
const checked = await validate({ config });
codes.validate = exitCodeOf(checked);
try {
  await validate({ config: { target: { url: 'ftp://nowhere' } } });
} catch (err) {
  codes.invalid = exitCodeOfError(err);
  codes.invalidMessage = err.message;
}
const passed = await run({ config });
codes.passed = exitCodeOf(passed);
const failed = await run({ config: { ...config, name: 'strict', thresholds: ['p(99)<0.001'] } });
codes.failed = exitCodeOf(failed);
const written = await report(passed.resultsDir, { formats: ['markdown', 'junit'] });
codes.report = exitCodeOf(written);
const same = await compare(passed.resultsDir, passed.resultsDir);
codes.compareSame = exitCodeOf(same);
codes.compareRegressed = exitCodeOf(await compare('a', 'b', { markdown: 'cmp.md' }));
const audited = await audit({ paths: [manifests] });
codes.audit = exitCodeOf(audited);
codes.auditNone = exitCodeOf(await audit({ paths: [manifests], failOn: 'none' }));
codes.recover = exitCodeOf(await recover());
writeFileSync(out, JSON.stringify({ codes, drills: checked.drills, passed: passed.resultsDir, failed: failed.resultsDir, files: Object.keys(written.files).sort(), findings: audited.findings.length, markdown: same.markdown.length }));
`,
      [server.url, BAD_MANIFESTS, path.join(dir, 'out.json')],
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '', 'the library writes nothing to stdout');
    const out = JSON.parse(readFileSync(path.join(dir, 'out.json'), 'utf8')) as {
      codes: Record<string, number | string>;
      drills: string[];
      passed: string;
      failed: string;
      files: string[];
      findings: number;
      markdown: number;
    };
    assert.deepEqual(out.codes, {
      validate: 0,
      invalid: 2,
      invalidMessage: 'input has a problem:\n  ✖ target.url: expected an http:// or https:// URL, received "ftp://nowhere"',
      passed: 0,
      failed: 1,
      report: 0,
      compareSame: 0,
      compareRegressed: 1,
      audit: 1,
      auditNone: 0,
      recover: 0,
    });
    assert.deepEqual(out.drills, ['capacity']);
    assert.deepEqual(out.files, ['junit', 'markdown']);
    assert.ok(out.findings > 0 && out.markdown > 0);
    // The CLI, on the same folders and files, ends with the same codes: its commands wrap these calls.
    const cli = async (args: string[]): Promise<number | null> => (await golive(args, { cwd: dir })).code;
    assert.equal(await cli(['compare', out.passed, out.passed]), 0);
    const regressed = await golive(['compare', 'a', 'b'], { cwd: dir });
    assert.equal(regressed.code, 1);
    assert.equal(regressed.stdout, readFileSync(path.join(dir, 'cmp.md'), 'utf8'), 'the same Markdown');
    assert.equal(await cli(['audit', BAD_MANIFESTS]), out.codes['audit']);
    assert.equal(await cli(['report', out.passed, '--markdown']), 0);
  });
});
