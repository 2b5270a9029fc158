/**
 * Startup stays light: `golive --help` and `golive validate` never load the Kubernetes client library
 * (0.75 s of startup, for users who never touch a cluster). A resolve hook records every module loaded.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { BIN, tempDir } from '../helpers/cli.js';

const dir = tempDir('golive-startup-');
after(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(
  path.join(dir, 'hooks.mjs'),
  `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  appendFileSync(process.env.GOLIVE_IMPORT_LOG, r.url + '\\n');
  return r;
}
`,
);
writeFileSync(path.join(dir, 'register.mjs'), "import { register } from 'node:module';\nregister('./hooks.mjs', import.meta.url);\n");
writeFileSync(
  path.join(dir, 'k8s.yaml'),
  `target: { url: 'http://127.0.0.1:1' }
platform: { kind: kubernetes, namespace: shop, workload: { name: shop } }
drills: { node-drain: {} }
`,
);

/** The modules `golive <args>` loaded, and its exit code. */
function modulesLoadedBy(args: string[]): { urls: string[]; code: number | null; stderr: string } {
  const log = path.join(dir, `imports-${args[0] ?? 'none'}.log`);
  writeFileSync(log, '');
  const r = spawnSync(process.execPath, ['--import', pathToFileURL(path.join(dir, 'register.mjs')).href, BIN, ...args], {
    cwd: dir,
    env: { ...process.env, GOLIVE_IMPORT_LOG: log },
    encoding: 'utf8',
  });
  return { urls: readFileSync(log, 'utf8').split('\n').filter(Boolean), code: r.status, stderr: r.stderr };
}

const K8S_CLIENT = /node_modules\/@kubernetes\/client-node\//;

describe('startup loads only what the command needs', () => {
  test('golive --help does not load the Kubernetes client, nor any command', () => {
    const r = modulesLoadedBy(['--help']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(
      r.urls.some((u) => u.includes('/node_modules/commander/')),
      'the hook records what loads',
    );
    assert.deepEqual(
      r.urls.filter((u) => K8S_CLIENT.test(u)),
      [],
    );
    assert.deepEqual(
      r.urls.filter((u) => u.includes('/dist/cli/commands/')),
      [],
    );
  });

  test('golive validate of a kubernetes config does not load the Kubernetes client', () => {
    const r = modulesLoadedBy(['validate', '-c', 'k8s.yaml']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      r.urls.filter((u) => K8S_CLIENT.test(u)),
      [],
    );
  });

  test('golive rbac of the same config does load it (the check can fail)', () => {
    const r = modulesLoadedBy(['rbac', '-c', 'k8s.yaml']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.urls.some((u) => K8S_CLIENT.test(u)));
  });
});
