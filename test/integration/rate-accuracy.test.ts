import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openPlan } from '../helpers/plan.js';
import { runEngine } from '../helpers/run-engine.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

describe('rate accuracy', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  test('2,000 req/s for 5 s: achieved within 1 %, per second too', async () => {
    const run = await runEngine(openPlan(server.url, 2000, 5000, { connections: 50 }), 2);
    assert.equal(run.requests.dropped, 0);
    assert.equal(run.requests.total, 10_000);
    const achieved = run.requests.total / (run.recording.durationMs / 1000);
    assert.ok(Math.abs(achieved - 2000) / 2000 < 0.01, `achieved ${achieved.toFixed(1)} req/s`);
    // Starts by intended time, from the 10 ms bins: every whole second holds 2,000 ± 1 %.
    for (let s = 0; s < 5; s++) {
      let n = 0;
      for (let b = s * 100; b < (s + 1) * 100; b++) n += (run.recording.binsOk[b] ?? 0) + (run.recording.binsFailed[b] ?? 0);
      assert.ok(Math.abs(n - 2000) <= 20, `second ${s}: ${n} starts`);
    }
  });
});
