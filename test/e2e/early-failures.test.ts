/**
 * A run that fails before its first drill, having changed nothing — a refused kube context, an API server
 * that does not answer — leaves nothing behind: no results folder, no temp folder, no registered run.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { test } from 'node:test';
import { golive, tempDir } from '../helpers/cli.js';

/** A port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function project(): Promise<{ cwd: string; tmp: string; state: string }> {
  const cwd = tempDir();
  const port = await closedPort();
  writeFileSync(
    path.join(cwd, 'kubeconfig'),
    [
      'apiVersion: v1',
      'kind: Config',
      `clusters: [{ name: nowhere, cluster: { server: 'https://127.0.0.1:${port}', insecure-skip-tls-verify: true } }]`,
      'users: [{ name: someone, user: { token: not-a-token } }]',
      'contexts: [{ name: staging, context: { cluster: nowhere, user: someone } }]',
      'current-context: staging',
      '',
    ].join('\n'),
  );
  writeFileSync(
    path.join(cwd, 'golive.config.yaml'),
    [
      'name: early',
      `target: { url: 'http://127.0.0.1:${port}' }`,
      'platform: { kind: kubernetes, kubeconfig: ./kubeconfig, namespace: shop, workload: { kind: Deployment, name: web } }',
      'drills: { app-update: { baseline: 1s, tail: 1s } }',
      '',
    ].join('\n'),
  );
  const tmp = path.join(cwd, 'tmp');
  const state = path.join(cwd, 'state');
  mkdirSync(tmp);
  return { cwd, tmp, state };
}

for (const [what, args, expected] of [
  ['a refused context', ['run', '--context', 'production'], /no context "production" in the kubeconfig; it has: staging/],
  ['an API server that does not answer', ['run'], /the API server https:\/\/127\.0\.0\.1:\d+ did not answer/],
] as const) {
  test(`${what}: golive run fails clearly and leaves no results folder, temp folder or registered run`, async () => {
    const { cwd, tmp, state } = await project();
    const r = await golive([...args], { cwd, env: { TMPDIR: tmp, GOLIVE_STATE_DIR: state } });
    assert.ok(r.code === 2 || r.code === 3, `${r.code}: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr, expected);
    assert.doesNotMatch(r.stderr, /Internal error/);
    assert.equal(existsSync(path.join(cwd, 'golive-results')), false, 'no results folder');
    assert.deepEqual(readdirSync(tmp), [], 'no temp folder');
    assert.deepEqual(existsSync(path.join(state, 'runs')) ? readdirSync(path.join(state, 'runs')) : [], [], 'no registered run');
  });
}
