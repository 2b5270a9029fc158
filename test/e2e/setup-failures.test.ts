/** When the app will not come up, golive says why: how often it crashed, what it printed, its last probe. */
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, test } from 'node:test';
import { golive, tempDir } from '../helpers/cli.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function app(command: string, extra: Record<string, unknown> = {}): string {
  const cwd = tempDir('golive-setup-');
  dirs.push(cwd);
  writeFileSync(
    path.join(cwd, 'golive.config.json'),
    JSON.stringify({
      name: 'setup',
      platform: {
        kind: 'local',
        app: { command, replicas: 2, startTimeout: '4s', readiness: { path: '/readyz', period: '200ms' }, ...extra },
        cluster: { nodes: 2, zones: 2 },
      },
      load: { rate: 10 },
      drills: { capacity: { duration: '1s' } },
    }),
  );
  return cwd;
}

test('an app that crashes at start: the error counts the crashes (with back-off, not a tight loop) and shows what it printed', async () => {
  const cwd = app(`node -e "console.error('Error: Cannot find module express'); process.exit(1)"`);
  const r = await golive(['run'], { cwd });
  assert.equal(r.code, 3, r.stdout + r.stderr);
  const m = /replicas crashed (\d+) time\(s\), restarted with back-off/.exec(r.stderr);
  assert.ok(m, r.stderr);
  assert.ok(Number(m[1]) >= 2 && Number(m[1]) <= 12, `${m[1]} crashes in 4 s: back-off, not a tight loop`);
  assert.match(r.stderr, /last output of app-r1-\d+:\n {4}Error: Cannot find module express/);
  assert.match(r.stderr, /replica logs: .*replica-\*\.log/);
});

test('an app that runs but never passes readiness: the last probe answer is in the error', async () => {
  const cwd = app(`node -e "require('http').createServer((q, s) => { s.statusCode = 503; s.end('warming up'); }).listen(process.env.PORT)"`);
  const r = await golive(['run'], { cwd });
  assert.equal(r.code, 3, r.stdout + r.stderr);
  assert.match(r.stderr, /timed out after 4000 ms waiting for 2 ready replicas \(have 0\); last readiness probe of app-r1-\d+: readiness 503/);
});

test('an app that ignores $PORT and listens on a fixed port: the error says so, names the port it listens on and suggests $PORT', async () => {
  const fixed = await new Promise<number>((resolve) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
  // One replica: two would fight over the fixed port.
  const cwd = app(`node -e "require('http').createServer((q, s) => s.end('ok')).listen(${fixed}, '127.0.0.1')"`, { replicas: 1 });
  const r = await golive(['run'], { cwd });
  assert.equal(r.code, 3, r.stdout + r.stderr);
  assert.match(
    r.stderr,
    new RegExp(
      `app-r1-\\d+ never listened on 127\\.0\\.0\\.1:\\d+, the port golive gave it in \\$PORT \\(its probe: ECONNREFUSED\\); it listens on ${fixed}: have the app listen on \\$PORT \\(process\\.env\\.PORT in Node\\)`,
    ),
  );
});

test('an app on $PORT but only on ::1: the error says it listens on its port but not on 127.0.0.1', async () => {
  const cwd = app(`node -e "require('http').createServer((q, s) => s.end('ok')).listen(process.env.PORT, '::1')"`, { replicas: 1 });
  const r = await golive(['run'], { cwd });
  assert.equal(r.code, 3, r.stdout + r.stderr);
  assert.match(
    r.stderr,
    /app-r1-\d+ listens on its port \d+ but not on 127\.0\.0\.1 \(its probe: ECONNREFUSED\): have it listen on 127\.0\.0\.1 or every address/,
  );
});

test('a readiness path without its leading / is a config error', async () => {
  const cwd = app('node server.js', { readiness: { path: 'readyz' } });
  const r = await golive(['validate'], { cwd });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /platform\.app\.readiness\.path: expected a path starting with \/, like '\/readyz', received "readyz"/);
});
