import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BIN, golive, latestRunDir, tempDir, timelineSeconds } from '../helpers/cli.js';
import { waitFor } from '../helpers/wait.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import type { RunResult } from '../../src/model/result.js';

function onlyResultsDir(cwd: string): string {
  const root = path.join(cwd, 'golive-results');
  const dirs = readdirSync(root);
  assert.equal(dirs.length, 1);
  return path.join(root, dirs[0]!);
}

describe('golive load', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  test('passes its thresholds: exit 0, the summary on screen and in summary.json', async () => {
    const cwd = tempDir();
    const start = server.received;
    const r = await golive(['load', `${server.url}/`, '--rate', '100', '-d', '2s', '--threads', '1', '--threshold', 'p(95)<1000', 'rate(failed)<0.01'], {
      cwd,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /load ✓ passed/);
    assert.match(r.stdout, /requests {4}200 sent · 200 ok · 0 failed · 0 dropped {3}throughput 100 req\/s over 2s/);
    assert.match(r.stdout, /✓ p\(95\)<1000 +limit p\(95\)<1000 +measured p\(95\)=/);
    assert.match(r.stdout, /✓ rate\(failed\)<0.01 +limit rate\(failed\)<0.01 measured failed 0 % \(0 of 200\)/);
    assert.equal(server.received - start, 200);
    const dir = onlyResultsDir(cwd);
    const summary = JSON.parse(readFileSync(path.join(dir, 'summary.json'), 'utf8')) as RunResult;
    assert.equal(summary.version, 1);
    assert.equal(summary.passed, true);
    const drill = summary.drills[0]!;
    assert.equal(drill.kind, 'load');
    assert.deepEqual(drill.requests, { total: 200, ok: 200, failed: 0, dropped: 0, byOutcome: { ok: 200 } });
    assert.equal(drill.load.model, 'open');
    assert.equal(drill.load.targetRps, 100);
    assert.deepEqual(Object.keys(drill.latencyMs), ['avg', 'min', 'p50', 'p90', 'p95', 'p99', 'p999', 'max']);
    assert.deepEqual(drill.downtime, { totalMs: 0, longestMs: 0, degradedMs: 0, windows: [] });
    const timeline = readFileSync(path.join(dir, 'timeline.ndjson'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { requests: { total: number } });
    assert.equal(
      timeline.reduce((n, l) => n + l.requests.total, 0),
      200,
    );
    assert.ok(existsSync(path.join(dir, 'run.json')));
  });

  test('misses a threshold: exit 1 with the measured value', async () => {
    const r = await golive(['load', server.url, '--rate', '50', '-d', '1s', '--threads', '1', '--threshold', 'p(99)<0.001'], { cwd: tempDir() });
    assert.equal(r.code, 1);
    assert.match(r.stdout, /✗ p\(99\)<0.001 +limit p\(99\)<0.001 +measured p\(99\)=\d/);
    assert.match(r.stdout, /not ready/);
  });

  test('the same downtime analysis as every drill: an outage shows as a window', async () => {
    server.behave((_req, res, n) => {
      res.statusCode = n % 200 >= 100 && n % 200 < 150 ? 503 : 200;
      res.end();
    });
    const cwd = tempDir();
    const r = await golive(['load', server.url, '--rate', '100', '-d', '2s', '--threads', '1'], { cwd });
    server.behave((_req, res) => res.end('ok'));
    // No objective set is not a pass: the default error objective judges it.
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stdout, /downtime {4}500ms in 1 outage window/);
    assert.match(r.stdout, /■ .* 50 failed \[http_503 50\]/);
    assert.match(r.stdout, /✗ error rate \(default\) +limit ≤ 1\.00 % +measured 25\.0 %/);
  });

  test('nothing answering is never a pass: refused connections, and no request at all', async () => {
    const closed = await startTestServer();
    const url = closed.url;
    await closed.close();
    const r = await golive(['load', url, '--rate', '50', '-d', '1s', '--threads', '1'], { cwd: tempDir() });
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stdout, /✗ error rate \(default\) +limit ≤ 1\.00 % +measured 100\.0 %/);
    assert.match(r.stdout, /✗ requests answered \(default\) +limit ≥ 1 +measured 0 of 50/);
    const none = await golive(['load', server.url, '--rate', '50', '-d', '0s', '--threads', '1'], { cwd: tempDir() });
    assert.equal(none.code, 1, none.stdout);
    assert.match(none.stdout, /✗ requests answered \(default\) +limit ≥ 1 +measured 0 of 0/);
  });

  test('the command line beats GOLIVE_* variables: the duration typed, the URL typed', async () => {
    const other = await startTestServer();
    try {
      const cwd = tempDir();
      const start = server.received;
      const r = await golive(['load', server.url, '--rate', '50', '-d', '2s', '--threads', '1'], {
        cwd,
        env: { GOLIVE_DURATION: '1s', GOLIVE_URL: other.url, GOLIVE_RATE: '10' },
      });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(server.received - start, 100, '50 req/s for the 2 s typed, not GOLIVE_RATE for GOLIVE_DURATION');
      assert.equal(other.received, 0, 'no request to GOLIVE_URL: load goes only where the user typed');
      // Without the flag, the variable applies.
      const r2 = await golive(['load', server.url, '--rate', '50', '--threads', '1'], { cwd: tempDir(), env: { GOLIVE_DURATION: '1s' } });
      assert.equal(r2.code, 0, r2.stderr);
      assert.match(r2.stdout, /50 sent · 50 ok/);
    } finally {
      await other.close();
    }
  });

  test('credentials in the URL are sent as Basic auth and never written down or shown', async () => {
    const cwd = tempDir();
    let auth: string | undefined;
    server.behave((req, res) => {
      auth = req.headers.authorization;
      res.end('ok');
    });
    const url = server.url.replace('http://', 'http://alice:s3cret@');
    const r = await golive(['load', `${url}/`, '--rate', '20', '-d', '500ms', '--threads', '1', '-H', 'Authorization: Bearer literal-token'], { cwd });
    server.behave((_req, res) => res.end('ok'));
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(auth, 'Bearer literal-token', 'an explicit header wins over the URL');
    const r2 = await golive(['load', `${url}/`, '--rate', '20', '-d', '500ms', '--threads', '1'], { cwd: tempDir() });
    assert.equal(r2.code, 0, r2.stderr);
    assert.match(r2.stdout, /target {4}http:\/\/alice:\*\*\*@127\.0\.0\.1:\d+/);
    const runJson = readFileSync(path.join(onlyResultsDir(cwd), 'run.json'), 'utf8');
    assert.ok(!runJson.includes('s3cret') && !runJson.includes('literal-token'), runJson);
    assert.ok(!r.stdout.includes('s3cret') && !r2.stdout.includes('s3cret'));
    // A key in the query and a password in the body: neither on the terminal nor in run.json.
    const cwd3 = tempDir();
    const r3 = await golive(
      ['load', `${server.url}/?api_key=k-abc123&page=2`, '--rate', '20', '-d', '500ms', '--threads', '1', '-X', 'POST', '--body', '{"password":"pw-xyz"}'],
      {
        cwd: cwd3,
      },
    );
    assert.equal(r3.code, 0, r3.stdout + r3.stderr);
    const runJson3 = readFileSync(path.join(onlyResultsDir(cwd3), 'run.json'), 'utf8');
    assert.ok(!runJson3.includes('k-abc123') && !runJson3.includes('pw-xyz') && !r3.stdout.includes('k-abc123'), runJson3);
  });

  test('bad usage: exit 2 and a clear message', async () => {
    const r = await golive(['load', 'ftp://example.com'], { cwd: tempDir() });
    assert.equal(r.code, 2);
    assert.equal(r.stderr, 'golive: expected an http:// or https:// URL, received "ftp://example.com"\n');
    const r2 = await golive(['load', server.url, '--rate', 'lots'], { cwd: tempDir() });
    assert.equal(r2.code, 2);
    // The flag is named as the user typed it, with the setting it sets.
    assert.equal(
      r2.stderr,
      `golive load has a problem:\n  ✖ --rate (load.rate): expected a rate in requests per second like 200 or '200/s' (or '600/m'), received "lots"\n`,
    );
    const r3 = await golive(['load', server.url], { cwd: tempDir(), env: { GOLIVE_RATE: 'abc' } });
    assert.equal(r3.code, 2);
    assert.match(r3.stderr, /✖ GOLIVE_RATE \(load\.rate\): expected a rate/);
    // An --out under procfs, where mkdir answers ENOENT under /proc: a clear usage error, not a spin at 100 % CPU.
    const proc = await golive(['load', server.url, '-d', '1s', '--out', '/proc/golive-results'], { cwd: tempDir() });
    assert.equal(proc.code, 2, proc.stderr);
    assert.match(proc.stderr, /output\.dir \/proc\/golive-results: cannot make a results folder there \(ENOENT/);
    // An --out that is a file: a clear usage error, not a stack trace.
    const cwd = tempDir();
    writeFileSync(path.join(cwd, 'a-file'), '');
    const r4 = await golive(['load', server.url, '-d', '100ms', '--out', 'a-file'], { cwd });
    assert.equal(r4.code, 2);
    assert.match(
      r4.stderr,
      /^golive: output\.dir .*a-file: cannot make a results folder there \(ENOTDIR: not a directory, .*\): give a folder golive may write \(--out\)\n$/,
    );
  });

  test('Ctrl-C stops cleanly: results written, exit 3', async () => {
    const cwd = tempDir();
    const r = await golive(['load', server.url, '--rate', '100', '-d', '30s', '--threads', '1'], {
      cwd,
      // Ctrl-C once two seconds of load are in the timeline: the run is mid-load whatever the machine's speed.
      onSpawn: (child) => void waitFor('two seconds of load', () => timelineSeconds(latestRunDir(cwd)) >= 2).then(() => child.kill('SIGINT')),
    });
    assert.equal(r.code, 3);
    assert.match(r.stderr, /stopping \(SIGINT\): finishing requests in flight, undoing changes and writing results/);
    const summary = JSON.parse(readFileSync(path.join(onlyResultsDir(cwd), 'summary.json'), 'utf8')) as RunResult;
    assert.equal(summary.passed, false);
    assert.equal(summary.drills[0]?.error, 'interrupted');
    assert.ok(summary.drills[0].requests.total > 100);
  });
});

describe('golive init, validate and run', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  test('init writes a starter config that validates and runs', async () => {
    const cwd = tempDir();
    const init = await golive(['init'], { cwd });
    assert.equal(init.code, 0, init.stderr);
    // Outside golive's folder and without it in node_modules, `npx golive` would fetch one from npm.
    assert.match(init.stdout, new RegExp(`then run \`node ${BIN.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} validate\``));
    const project = tempDir();
    mkdirSync(path.join(project, 'node_modules'));
    symlinkSync(path.dirname(path.dirname(BIN)), path.join(project, 'node_modules', 'golive'));
    assert.match((await golive(['init'], { cwd: project })).stdout, /then run `npx golive validate` and `npx golive run`/);
    // It invents no URL: its only reference is the README shipped in the package, at a path that exists.
    const starter = readFileSync(path.join(project, 'golive.config.ts'), 'utf8');
    assert.deepEqual(starter.match(/https?:\/\/[^\s'"]+/g), ['http://127.0.0.1:8080']);
    const reference = /^\/\/ .*"([^"]+)" in (node_modules\/golive\/README\.md)/.exec(starter);
    const [section, readme] = [reference?.[1], reference?.[2]];
    assert.ok(section && readme, starter.split('\n')[0]);
    assert.ok(readFileSync(path.join(project, readme), 'utf8').includes(`\n## ${section}\n`), `${readme} has a section "${section}"`);
    const file = path.join(cwd, 'golive.config.ts');
    writeFileSync(file, readFileSync(file, 'utf8').replace('http://127.0.0.1:8080', server.url));
    const validate = await golive(['validate'], { cwd });
    assert.equal(validate.code, 0, validate.stderr);
    assert.equal(validate.stdout, `✓ golive.config.ts is valid · target ${server.url} · drills: capacity\n`);
    const run = await golive(['run', '--duration', '2s', '--rate', '50', '--threads', '1'], { cwd });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /capacity ✓ passed/);
    assert.match(run.stdout, /✓ p\(95\)<300/);
    assert.equal((await golive(['init'], { cwd })).code, 2, 'init does not overwrite');
  });

  test('validate: every problem, exit 2', async () => {
    const cwd = tempDir();
    writeFileSync(path.join(cwd, 'golive.config.yaml'), 'target:\n  url: http://x\nload:\n  rate: -5\n  conections: 3\n');
    const r = await golive(['validate'], { cwd });
    assert.equal(r.code, 2);
    assert.equal(
      r.stderr,
      [
        'golive.config.yaml has 2 problems:',
        "  ✖ line 4, load.rate: expected a rate in requests per second like 200 or '200/s' (or '600/m'), received -5",
        '  ✖ line 5, load: unknown key "conections" (did you mean "connections"?); allowed here: executor, rate, startRate, vus, stages, thinkTime, duration, connections, maxInFlight, timeout, threads, workers, headers, requests, journeys, data, generator',
        '',
      ].join('\n'),
    );
  });

  test('two config files side by side: the one used is named, the other said to be ignored', async () => {
    const cwd = tempDir();
    writeFileSync(path.join(cwd, 'golive.config.json'), JSON.stringify({ target: { url: server.url } }));
    writeFileSync(path.join(cwd, 'golive.config.yaml'), 'target: [\n');
    const r = await golive(['validate'], { cwd });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /golive\.config\.json is used; golive\.config\.yaml is ignored \(the first of .* wins\): remove the other file or pass -c FILE/);
    const run = await golive(['run', '--dry-run'], { cwd });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stderr, /golive\.config\.json is used; golive\.config\.yaml is ignored/);
  });

  test('run without a config says how to get one', async () => {
    const r = await golive(['run'], { cwd: tempDir() });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /no config file here \(looked for golive\.config\.ts, .*\); write one with `golive init` or pass -c FILE/);
  });
});
