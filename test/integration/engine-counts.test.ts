import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { closedPlan, openPlan } from '../helpers/plan.js';
import { runEngine } from '../helpers/run-engine.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

describe('engine: what the client counts is what the server received', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  test('open model, 2 threads', async () => {
    const start = server.received;
    const run = await runEngine(openPlan(server.url, 400, 2000), 2);
    assert.equal(run.requests.total, 800);
    assert.equal(run.requests.ok, 800);
    assert.equal(run.requests.dropped, 0);
    assert.equal(server.received - start, run.requests.total);
  });

  test('closed model, 2 threads', async () => {
    const start = server.received;
    const run = await runEngine(closedPlan(server.url, 8, 1500), 2);
    assert.ok(run.requests.total > 100, `expected a busy closed loop, got ${run.requests.total}`);
    assert.equal(run.requests.failed, 0);
    assert.equal(server.received - start, run.requests.total);
  });

  test('rates high enough for a rehearsal before time zero: it sends nothing to the target', async () => {
    // 4,000 req/s on one thread and 50 VUs are rehearsed against a responder of the worker's own first.
    let start = server.received;
    const open = await runEngine(openPlan(server.url, 4000, 1000, { connections: 50 }), 1);
    assert.equal(open.requests.total, 4000);
    assert.equal(server.received - start, 4000);
    start = server.received;
    const closed = await runEngine(closedPlan(server.url, 50, 1000), 1);
    assert.ok(closed.requests.total > 100, `expected a busy closed loop, got ${closed.requests.total}`);
    assert.equal(server.received - start, closed.requests.total);
  });
});
