import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import http from 'node:http';
import type { Socket } from 'node:net';
import path from 'node:path';
import { test } from 'node:test';
import { run } from '../../src/run/run.js';
import { PACKAGE_ROOT } from '../../src/package-root.js';
import { tempDir } from '../helpers/temp-dir.js';
import { createDemoWorkspace, localConfig, runDrills } from '../helpers/local-app.js';

const LOCUST = '/usr/bin/locust';
const LOCUSTFILE = path.join(PACKAGE_ROOT, 'test', 'fixtures', 'external', 'locustfile.py');
const OUTAGE_MS = 1200;

/** Serves 200s; 3 s after the first request it refuses connections for OUTAGE_MS (listener closed, sockets destroyed). */
async function refusingServer(): Promise<{ url: string; received: () => number; refusedAt: Promise<[number, number]>; close: () => Promise<void> }> {
  let received = 0;
  const sockets = new Set<Socket>();
  const server = http.createServer((_req, res) => {
    received++;
    res.end('ok');
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  let markRefused!: (v: [number, number]) => void;
  const refusedAt = new Promise<[number, number]>((r) => (markRefused = r));
  server.once('request', () => {
    setTimeout(() => {
      server.close();
      for (const s of sockets) s.destroy();
      const from = Date.now();
      setTimeout(() => {
        server.listen(port, '127.0.0.1', () => markRefused([from, Date.now()]));
      }, OUTAGE_MS);
    }, 3000);
  });
  return {
    url: `http://127.0.0.1:${port}`,
    received: () => received,
    refusedAt,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

test(
  'a Locust test as the load: the refusal is one outage window of its length, at its time, and every request is counted',
  { skip: !existsSync(LOCUST) && `${LOCUST} missing (apt-get install python3-locust)` },
  async () => {
    const server = await refusingServer();
    const cwd = tempDir();
    try {
      const outcome = await run({
        cwd,
        config: {
          name: 'locust',
          target: { url: server.url },
          load: { generator: { kind: 'locust', locustfile: LOCUSTFILE, users: 5, spawnRate: 5 } },
          drills: { capacity: { duration: '9s', objectives: { maxErrorRate: 1 } } },
          output: { dir: path.join(cwd, 'results') },
        },
      });
      const d = outcome.result.drills[0]!;
      const [from, to] = await server.refusedAt;
      const g = d.load.generator!;
      assert.equal(g.kind, 'locust');
      assert.match(g.note, /closed model/);
      const refusal = { startMs: from - g.zeroEpochMs!, endMs: to - g.zeroEpochMs! };
      assert.equal(d.downtime.windows.length, 1, JSON.stringify({ windows: d.downtime.windows, refusal }));
      const w = d.downtime.windows[0]!;
      assert.ok(Math.abs(w.endMs - w.startMs - OUTAGE_MS) <= 100, `window ${w.startMs}–${w.endMs} ms, refusal ${JSON.stringify(refusal)}`);
      assert.ok(Math.abs(w.startMs - refusal.startMs) <= 100, `window starts ${w.startMs} ms, refusal at ${refusal.startMs} ms`);
      assert.ok((w.outcomes['connect_refused'] ?? 0) > 0, JSON.stringify(w.outcomes));
      assert.equal(d.requests.ok, server.received(), "every answer the server gave is one of Locust's requests, and no other");
      assert.ok(Math.abs(g.clockOffsetMs!) < 1000, `clock offset ${g.clockOffsetMs} ms`);
      if (process.env['GOLIVE_TEST_FIGURES'])
        console.log(
          JSON.stringify({
            window: [w.startMs, w.endMs],
            refusal,
            requests: d.requests.total,
            ok: d.requests.ok,
            server: server.received(),
            clockOffsetMs: g.clockOffsetMs,
          }),
        );
    } finally {
      await server.close();
    }
  },
);

test('a load tool that is not installed fails the run clearly, naming it and how to install it', async () => {
  const cwd = tempDir();
  await assert.rejects(
    run({
      cwd,
      config: {
        target: { url: 'http://127.0.0.1:9' },
        load: { generator: { kind: 'locust', locustfile: LOCUSTFILE, bin: 'golive-test-no-such-locust' } },
        drills: { capacity: { duration: '2s' } },
        output: { dir: path.join(cwd, 'results') },
      },
    }),
    /load\.generator: golive-test-no-such-locust is not installed \(Debian: apt-get install python3-locust; or pip install locust\), or set load\.generator\.bin to its path/,
  );
});

test("k6's command line and JSON output end to end, with a stand-in for k6 (it is not packaged for Debian)", async () => {
  const cwd = tempDir();
  const outcome = await run({
    cwd,
    config: {
      target: { url: 'http://127.0.0.1:9' },
      load: {
        generator: {
          kind: 'k6',
          script: path.join(PACKAGE_ROOT, 'test', 'fixtures', 'external', 'script.js'),
          bin: path.join(PACKAGE_ROOT, 'test', 'fixtures', 'external', 'fake-k6.mjs'),
        },
      },
      drills: { capacity: { duration: '2s' } },
      output: { dir: path.join(cwd, 'results') },
    },
  });
  const d = outcome.result.drills[0]!;
  assert.equal(d.error, undefined);
  assert.equal(d.load.generator?.kind, 'k6');
  // A point every 10 ms for 2 s (timers on a busy machine fire late, never early).
  assert.ok(d.requests.total > 50 && d.requests.total <= 201, `${d.requests.total} requests`);
  assert.equal(d.requests.ok, d.requests.total);
  assert.equal(d.downtime.windows.length, 0);
});

test('records no request of this run can have (a start 11 days ahead, a response time of 1e300 ms) are left out and said, never iterated over', async () => {
  const cwd = tempDir();
  const run$ = run({
    cwd,
    config: {
      target: { url: 'http://127.0.0.1:9' },
      load: {
        generator: {
          kind: 'k6',
          script: path.join(PACKAGE_ROOT, 'test', 'fixtures', 'external', 'script.js'),
          bin: path.join(PACKAGE_ROOT, 'test', 'fixtures', 'external', 'fake-k6.mjs'),
          env: { FAKE_K6_BAD_RECORDS: '1' },
        },
      },
      drills: { capacity: { duration: '2s' } },
      output: { dir: path.join(cwd, 'results') },
    },
  });
  let deadline: NodeJS.Timeout | undefined;
  const hung = new Promise<'hung'>((r) => (deadline = setTimeout(() => r('hung'), 60_000)));
  const outcome = await Promise.race([run$, hung]).finally(() => clearTimeout(deadline));
  assert.notEqual(outcome, 'hung', 'the run did not finish: a bad record is walked second by second');
  const d = (outcome as Awaited<typeof run$>).result.drills[0]!;
  assert.equal(d.error, undefined);
  assert.ok(d.requests.total > 50 && d.requests.total <= 201, `${d.requests.total} requests: the bad ones are not among them`);
  assert.equal(d.requests.ok, d.requests.total);
  assert.ok(d.load.durationMs < 10_000, `the drill lasted ${d.load.durationMs} ms`);
  const warning = d.generator.warnings.find((w) => w.includes("k6's records were left out"));
  assert.match(
    warning ?? d.generator.warnings.join(' | '),
    /^2 of k6's records were left out: outside the run's window or with an impossible time \(the first: a request starting at \d+\.\d s and lasting 1\.5 ms, ending after now/,
  );
});

test(
  "beside a Locust test, golive's own canary writes still measure the recovery point (disaster-recovery, local platform)",
  { skip: !existsSync(LOCUST) && `${LOCUST} missing` },
  async () => {
    const ws = createDemoWorkspace();
    try {
      const base = localConfig(ws.dir, { 'disaster-recovery': { baseline: '2s', tail: '1s', afterBackup: '1500ms', canary: { rate: 20 } } });
      const { drills } = await runDrills(ws.dir, { ...base, load: { generator: { kind: 'locust', locustfile: LOCUSTFILE, users: 2, spawnRate: 2 } } });
      const d = drills[0]!;
      assert.equal(d.error, undefined);
      assert.equal(d.load.generator?.kind, 'locust');
      assert.ok(d.requests.ok > 20, `${d.requests.ok} of Locust's requests answered (the load ran through the local Service)`);
      const r = d.recovery!;
      assert.ok(r.ackedWrites >= 40, `${r.ackedWrites} canary writes acknowledged`);
      assert.ok(r.pointMs !== null && Math.abs(r.pointMs - 1500) < 300, `recovery point ${r.pointMs} ms ≈ the 1.5 s between backup and disaster`);
    } finally {
      ws.remove();
    }
  },
);
