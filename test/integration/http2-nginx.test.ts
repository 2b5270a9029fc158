/**
 * golive's own HTTP/2 client against a server nobody here wrote: nginx (Huffman-coded response headers,
 * its own flow control and stream limits), in cleartext (prior knowledge) and over TLS (ALPN h2). nginx's
 * access log is the ground truth: every request arrived, over HTTP/2, on exactly `connections` connections.
 * The TLS server keeps nginx's default of 1,000 requests per connection (then GOAWAY).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { freePort } from '../helpers/free-port.js';
import { startNginx, type TestNginx } from '../helpers/nginx.js';
import { closedPlan, openPlan, request } from '../helpers/plan.js';
import { runEngine } from '../helpers/run-engine.js';
import { selfSignedCert } from '../helpers/self-signed.js';

describe('HTTP/2 against nginx', () => {
  let nginx: TestNginx;
  let h2c: string;
  let h2tls: string;
  before(async () => {
    const tls = selfSignedCert();
    const [p1, p2] = [await freePort(), await freePort()];
    const location = `location / { return 200 '{"ok":true,"path":"$uri"}'; }
      location /big { return 200 '${'x'.repeat(3000)}'; }
      location /missing { return 404; }`;
    nginx = await startNginx(
      `server { listen 127.0.0.1:${p1} http2; keepalive_requests 1000000; ${location} }
       server { listen 127.0.0.1:${p2} ssl http2; ssl_certificate ${tls.certFile}; ssl_certificate_key ${tls.keyFile}; ${location} }`,
      [p1, p2],
      '$connection $server_protocol $status $request_uri',
    );
    h2c = `http://127.0.0.1:${p1}`;
    h2tls = `https://127.0.0.1:${p2}`;
  });
  after(() => nginx.close());

  /** Access log lines of the requests whose URI contains `tag`. */
  const logged = (tag: string): { connection: string; protocol: string; status: string }[] =>
    nginx
      .accessLog()
      .split('\n')
      .filter((l) => l.includes(tag))
      .map((l) => {
        const [connection, protocol, status] = l.split(' ');
        return { connection: connection!, protocol: protocol!, status: status! };
      });

  for (const [name, origin] of [
    ['cleartext (prior knowledge)', () => h2c],
    ['TLS (ALPN h2)', () => h2tls],
  ] as const) {
    test(`${name}: open model, 300 requests over 3 sessions, bodies checked`, async () => {
      const tag = `open-${name.length}`;
      const plan = openPlan(origin(), 300, 1000, {
        target: { origin: origin(), insecure: true, http2: true },
        connections: 3,
        requests: [
          request({ path: `/${tag}?n={{seq}}`, weight: 2, check: { jsonPath: { '$.ok': true } } }),
          request({ name: 'big', path: `/big/${tag}`, check: { bodyContains: 'xxxx' } }),
          request({ name: 'missing', path: `/missing/${tag}`, check: { status: [404] } }),
        ],
      });
      const run = await runEngine(plan, 1);
      assert.deepEqual(run.requests.byOutcome, { ok: 300 });
      const lines = logged(tag);
      assert.equal(lines.length, 300);
      assert.ok(
        lines.every((l) => l.protocol === 'HTTP/2.0'),
        'every request over HTTP/2',
      );
      assert.equal(new Set(lines.map((l) => l.connection)).size, 3, 'three sessions');
      assert.equal(lines.filter((l) => l.status === '404').length, 75);
    });
  }

  test('closed model: 40 VUs share 4 sessions, each request a stream', async () => {
    const tag = 'closed-model';
    const plan = closedPlan(h2c, 40, 1000, {
      target: { origin: h2c, insecure: false, http2: true },
      connections: 4,
      requests: [request({ path: `/${tag}` })],
    });
    const run = await runEngine(plan, 1);
    assert.ok(run.requests.total > 100, `${run.requests.total} requests`);
    assert.deepEqual(run.requests.byOutcome, { ok: run.requests.total });
    const lines = logged(tag);
    assert.equal(lines.length, run.requests.total);
    assert.equal(new Set(lines.map((l) => l.connection)).size, 4, 'four sessions');
  });

  test("nginx's GOAWAY after 1,000 requests on a connection: sessions are replaced, no request fails", async () => {
    const tag = 'goaway';
    const plan = closedPlan(h2tls, 20, 1500, {
      target: { origin: h2tls, insecure: true, http2: true },
      connections: 2,
      requests: [request({ path: `/${tag}` })],
    });
    const run = await runEngine(plan, 1);
    assert.ok(run.requests.total > 3000, `${run.requests.total} requests`);
    assert.deepEqual(run.requests.byOutcome, { ok: run.requests.total });
    const lines = logged(tag);
    assert.equal(lines.length, run.requests.total);
    const perConnection = new Map<string, number>();
    for (const l of lines) perConnection.set(l.connection, (perConnection.get(l.connection) ?? 0) + 1);
    assert.ok(Math.max(...perConnection.values()) <= 1000, 'nginx closed each connection at 1,000');
    assert.ok(perConnection.size >= Math.ceil(run.requests.total / 1000), `${perConnection.size} connections`);
  });
});
