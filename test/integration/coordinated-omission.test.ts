import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { closedPlan, openPlan } from '../helpers/plan.js';
import { runEngine } from '../helpers/run-engine.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

describe('coordinated omission: a 1 s freeze in the middle of the run', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  test('open model at 200 req/s: p99 ≥ 800 ms and every request sent during the freeze is counted', async () => {
    const start = server.received;
    const run = await runEngine(openPlan(server.url, 200, 4000), 1, () => setTimeout(() => server.freeze(1000), 1500));
    assert.equal(run.requests.total, 800, 'every scheduled start was sent, freeze or not');
    assert.equal(run.requests.ok, 800);
    assert.equal(server.received - start, 800);
    assert.ok(run.latencyMs.p99 >= 800, `p99 ${run.latencyMs.p99} ms should show the freeze`);
    assert.ok(run.latencyMs.max >= 950, `max ${run.latencyMs.max} ms should be close to the 1 s freeze`);
    // About 200 requests were started during the freeze, waiting 1000 ms down to 0: p90 sits well above normal.
    assert.ok(run.latencyMs.p90 >= 150, `p90 ${run.latencyMs.p90} ms`);
  });

  test('closed model with the same freeze hides it: few requests saw it, so p99 stays low', async () => {
    const run = await runEngine(closedPlan(server.url, 2, 4000), 1, () => setTimeout(() => server.freeze(1000), 1500));
    // 2 users each wait once for the freeze: 2 slow requests among thousands.
    assert.ok(run.requests.total > 1000, `closed loop sent ${run.requests.total}`);
    assert.ok(run.latencyMs.max >= 900, 'the frozen requests themselves are slow');
    assert.ok(run.latencyMs.p99 < 100, `closed-model p99 ${run.latencyMs.p99} ms hides the freeze`);
  });
});
