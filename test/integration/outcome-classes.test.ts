import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { openPlan, request } from '../helpers/plan.js';
import { runEngine } from '../helpers/run-engine.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

describe('engine: every failure lands in its outcome class', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  test('refused port → connect_refused', async () => {
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const run = await runEngine(openPlan(`http://127.0.0.1:${port}`, 50, 400));
    assert.deepEqual(run.requests.byOutcome, { connect_refused: 20 });
  });

  test('connection reset mid-response → connection_reset', async () => {
    server.behave((_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('partial');
      setTimeout(() => res.socket?.resetAndDestroy(), 5);
    });
    const run = await runEngine(openPlan(server.url, 50, 400));
    assert.deepEqual(run.requests.byOutcome, { connection_reset: 20 });
  });

  test('no answer within the timeout → timeout, measured from the intended start', async () => {
    server.behave(() => {
      /* never answers */
    });
    const run = await runEngine(openPlan(server.url, 20, 500, { requests: [request({ timeoutMs: 300 })] }));
    assert.deepEqual(run.requests.byOutcome, { timeout: 10 });
    assert.ok(run.latencyMs.min >= 300 && run.latencyMs.max < 450, `timeouts at ${run.latencyMs.min}…${run.latencyMs.max} ms`);
    server.dropConnections();
  });

  test('503 → http_503, with its code', async () => {
    server.behave((_req, res) => {
      res.statusCode = 503;
      res.end('unavailable');
    });
    const run = await runEngine(openPlan(server.url, 50, 400));
    assert.deepEqual(run.requests.byOutcome, { http_503: 20 });
  });

  test('a redirect is not ok unless the check lists its status; 304 Not Modified is', async () => {
    server.behave((req, res) => {
      if (req.url === '/not-modified') res.writeHead(304).end();
      else res.writeHead(302, { location: '/maintenance.html' }).end();
    });
    const plan = openPlan(server.url, 50, 400, {
      requests: [
        request({ name: 'maintenance redirect' }),
        request({ name: 'expected redirect', check: { status: [302] } }),
        request({ name: 'revalidated', path: '/not-modified', headers: { 'if-none-match': '"v1"' } }),
        request({ name: 'not the status asked for', check: { status: [200] } }),
      ],
    });
    const run = await runEngine(plan);
    assert.deepEqual(run.requests.byOutcome, { ok: 10, http_302: 10 });
  });

  test('checks: status set, body text, JSON path → check_failed', async () => {
    server.behave((_req, res) => {
      res.statusCode = 201;
      res.setHeader('content-type', 'application/json');
      res.end('{"ok":false,"items":[{"id":7}]}');
    });
    const plan = openPlan(server.url, 50, 400, {
      requests: [
        request({ name: 'status', check: { status: [200] } }),
        request({ name: 'body', check: { status: [201], bodyContains: '"ok":true' } }),
        request({ name: 'json-bad', check: { status: [201], jsonPath: { '$.ok': true } } }),
        request({ name: 'json-good', check: { status: [201], jsonPath: { '$.items[0].id': 7 } } }),
      ],
    });
    const run = await runEngine(plan);
    assert.deepEqual(run.requests.byOutcome, { ok: 5, check_failed: 15 });
  });
});
