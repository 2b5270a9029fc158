import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { computeDowntime } from '../../src/analysis/downtime.js';
import { openPlan, request } from '../helpers/plan.js';
import { runEngine } from '../helpers/run-engine.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

describe('downtime against ground truth', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  test('a server that refuses connections for exactly 1500 ms at 200 req/s: one window of 1500 ± 50 ms', async () => {
    let refusedAtMs = 0;
    const run = await runEngine(openPlan(server.url, 200, 5000, { requests: [request({ timeoutMs: 2000 })] }), 1, (zero) => {
      setTimeout(() => {
        refusedAtMs = Date.now() - zero;
        void server.refuseFor(1500);
      }, 1500);
    });
    const d = computeDowntime({ ok: run.recording.binsOk, failed: run.recording.binsFailed, failuresByBin: run.recording.failuresByBin });
    assert.equal(d.windows.length, 1, JSON.stringify(d.windows.map((w) => [w.startMs, w.endMs, w.failed])));
    const w = d.windows[0]!;
    assert.ok(Math.abs(d.totalMs - 1500) <= 50, `downtime ${d.totalMs} ms`);
    assert.ok(Math.abs(w.startMs - refusedAtMs) <= 50, `window starts at ${w.startMs} ms, refusal began at ${refusedAtMs} ms`);
    assert.ok((w.outcomes['connect_refused'] ?? 0) >= 280, `outcomes ${JSON.stringify(w.outcomes)}`);
    assert.equal(run.requests.total, 1000);
  });

  test('a server that answers 503 to every 4th request for 2 s: degraded ≈ 2 s, downtime 0', async () => {
    let faultFrom = Infinity;
    let faultTo = Infinity;
    server.behave((_req, res, n) => {
      const now = Date.now();
      res.statusCode = now >= faultFrom && now < faultTo && n % 4 === 0 ? 503 : 200;
      res.end();
    });
    const run = await runEngine(openPlan(server.url, 200, 5000), 1, () => {
      setTimeout(() => {
        faultFrom = Date.now();
        faultTo = faultFrom + 2000;
      }, 1500);
    });
    const d = computeDowntime({ ok: run.recording.binsOk, failed: run.recording.binsFailed });
    assert.equal(d.totalMs, 0);
    assert.ok(Math.abs(d.degradedMs - 2000) <= 200, `degraded ${d.degradedMs} ms`);
    assert.ok(Math.abs(run.requests.failed - 100) <= 3, `${run.requests.failed} failed`);
  });

  // The same outages at four rates: the figures must not depend on the rate (README "How golive measures").
  for (const rps of [50, 100, 200, 1000]) {
    test(`${rps} req/s: everything refused for 1500 ms is one window of 1500 ± 60 ms`, async () => {
      server.behave((_req, res) => res.end('ok'));
      let refusedAtMs = 0;
      const run = await runEngine(openPlan(server.url, rps, 3000, { requests: [request({ timeoutMs: 2000 })] }), 1, (zero) => {
        setTimeout(() => {
          refusedAtMs = Date.now() - zero;
          void server.refuseFor(1500);
        }, 750);
      });
      const d = computeDowntime({ ok: run.recording.binsOk, failed: run.recording.binsFailed });
      assert.equal(d.windows.length, 1, JSON.stringify(d.windows.map((w) => [w.startMs, w.endMs, w.failed])));
      assert.ok(Math.abs(d.totalMs - 1500) <= 60, `downtime ${d.totalMs} ms`);
      assert.ok(Math.abs(d.windows[0]!.startMs - refusedAtMs) <= 60, `window at ${d.windows[0]!.startMs} ms, refusal at ${refusedAtMs} ms`);
    });

    for (const [share, what] of [
      [1 / 3, '1 of 3'],
      [2 / 3, '2 of 3'],
    ] as const) {
      test(`${rps} req/s: ${what} backends failing for 1500 ms is no downtime and about 1500 ms degraded`, async () => {
        // A fixed pseudo-random choice of the failing requests, as a Service balancing at random would make.
        let seed = Math.round(share * 1000) + rps;
        const random = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
        let faultFrom = Infinity;
        let faultTo = Infinity;
        server.behave((_req, res) => {
          const now = Date.now();
          res.statusCode = now >= faultFrom && now < faultTo && random() < share ? 503 : 200;
          res.end();
        });
        const run = await runEngine(openPlan(server.url, rps, 3000), 1, () => {
          setTimeout(() => {
            faultFrom = Date.now();
            faultTo = faultFrom + 1500;
          }, 750);
        });
        server.behave((_req, res) => res.end('ok'));
        const d = computeDowntime({ ok: run.recording.binsOk, failed: run.recording.binsFailed });
        assert.equal(d.totalMs, 0, JSON.stringify(d.windows.map((w) => [w.startMs, w.endMs, w.failed])));
        assert.ok(Math.abs(d.degradedMs - 1500) <= 400, `degraded ${d.degradedMs} ms`);
      });
    }
  }
});
