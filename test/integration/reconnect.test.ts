import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openPlan } from '../helpers/plan.js';
import { runEngine } from '../helpers/run-engine.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { spanStats } from '../../src/analysis/stats.js';

describe('reconnects: the server drops every connection mid-run', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  test('later requests are as fast as before and nothing is lost or double counted', async () => {
    const start = server.received;
    const run = await runEngine(openPlan(server.url, 300, 4000), 1, () => setTimeout(() => server.dropConnections(), 2000));
    const before = spanStats(run.recording.seconds, 0, 2000);
    const afterDrop = spanStats(run.recording.seconds, 3000, 5000);
    assert.equal(run.requests.total, 1200);
    // Only requests on the wire at the moment of the drop may fail (at most one per connection).
    assert.ok(run.requests.failed <= 20, `${run.requests.failed} failed`);
    assert.ok(server.received - start >= run.requests.ok, 'every ok was received by the server');
    assert.ok(afterDrop.requests.total >= 250, `after the drop: ${afterDrop.requests.total} requests`);
    // Same order of magnitude as before the drop: no stale start times, no over-correction.
    assert.ok(afterDrop.latencyMs.p50 <= before.latencyMs.p50 * 3 + 1, `p50 before ${before.latencyMs.p50} ms, after ${afterDrop.latencyMs.p50} ms`);
    assert.ok(afterDrop.latencyMs.p99 < 50, `p99 after the drop ${afterDrop.latencyMs.p99} ms`);
  });
});
