import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { toLoadPlan } from '../../src/config/to-plan.js';
import { validateConfig } from '../../src/config/load-config.js';
import { openPlan } from '../helpers/plan.js';
import { runEngine } from '../helpers/run-engine.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { tempDir } from '../helpers/temp-dir.js';
import { selfSignedCert } from '../helpers/self-signed.js';

describe('HTTPS and HTTP/2', () => {
  const tls = selfSignedCert();
  let httpsServer: https.Server;
  let h2Server: http2.Http2SecureServer;
  let h2Requests = 0;
  before(async () => {
    httpsServer = https.createServer(tls, (_req, res) => res.end('ok'));
    h2Server = http2.createSecureServer(tls, (req, res) => {
      h2Requests++;
      res.end(req.httpVersion);
    });
    await new Promise<void>((r) => httpsServer.listen(0, '127.0.0.1', r));
    await new Promise<void>((r) => h2Server.listen(0, '127.0.0.1', r));
  });
  after(() => {
    httpsServer.close();
    h2Server.close();
  });

  test('a self-signed certificate fails as tls unless insecure is set', async () => {
    const origin = `https://127.0.0.1:${(httpsServer.address() as AddressInfo).port}`;
    const strict = await runEngine(openPlan(origin, 20, 500));
    assert.deepEqual(strict.requests.byOutcome, { tls: 10 });
    const insecure = await runEngine(openPlan(origin, 20, 500, { target: { origin, insecure: true, http2: false } }));
    assert.deepEqual(insecure.requests.byOutcome, { ok: 10 });
  });

  test('SNI names a host, never an IP address (RFC 6066; Node warns DEP0123 otherwise)', async () => {
    const port = (httpsServer.address() as AddressInfo).port;
    const names: (string | false)[] = [];
    const onConnection = (socket: import('node:tls').TLSSocket): void => {
      names.push((socket as unknown as { servername: string | false }).servername);
    };
    httpsServer.on('secureConnection', onConnection);
    try {
      for (const origin of [`https://127.0.0.1:${port}`, `https://localhost:${port}`]) {
        const run = await runEngine(openPlan(origin, 20, 200, { target: { origin, insecure: true, http2: false }, connections: 1 }));
        assert.deepEqual(run.requests.byOutcome, { ok: 4 });
      }
    } finally {
      httpsServer.off('secureConnection', onConnection);
    }
    assert.deepEqual([...new Set(names)], [false, 'localhost']);
  });

  test('HTTP/2 over TLS', async () => {
    const origin = `https://127.0.0.1:${(h2Server.address() as AddressInfo).port}`;
    const run = await runEngine(openPlan(origin, 50, 1000, { target: { origin, insecure: true, http2: true }, connections: 2 }));
    assert.deepEqual(run.requests.byOutcome, { ok: 50 });
    assert.equal(h2Requests, 50);
  });
});

describe('data files feed {{data.FIELD}}, one row per request', () => {
  let server: TestServer;
  const seen: string[] = [];
  before(async () => {
    server = await startTestServer((req, res) => {
      seen.push(req.url ?? '');
      res.end();
    });
  });
  after(() => server.close());

  test('CSV rows in order, cycling, with {{seq}} unique across threads', async () => {
    const dir = tempDir('golive-data-');
    writeFileSync(path.join(dir, 'skus.csv'), 'sku,name\nA1,first\nB2,second\nC3,"third, quoted"\n');
    const config = validateConfig(
      {
        target: { url: server.url },
        load: { rate: 60, duration: '1s', connections: 4, requests: [{ url: '/item/{{data.sku}}?n={{seq}}&name={{data.name}}' }], data: { file: 'skus.csv' } },
      },
      'inline',
    );
    const plan = toLoadPlan(config, dir, 'inline');
    seen.length = 0;
    const run = await runEngine(plan, 2);
    assert.equal(run.requests.ok, 60);
    const bySeq = new Map(seen.map((u) => [Number(/n=(\d+)/.exec(u)![1]), u]));
    assert.equal(bySeq.size, 60, 'every {{seq}} is unique');
    assert.equal(bySeq.get(0), '/item/A1?n=0&name=first');
    assert.equal(bySeq.get(1), '/item/B2?n=1&name=second');
    assert.equal(bySeq.get(5), '/item/C3?n=5&name=third%2C%20quoted', 'data values are percent-encoded in URLs');
  });
});

describe('requests that cannot smuggle a second request', () => {
  let server: http.Server & { url?: string };
  const seen: { url: string; headers: http.IncomingHttpHeaders }[] = [];
  before(async () => {
    server = http.createServer((req, res) => {
      seen.push({ url: req.url ?? '', headers: req.headers });
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    server.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => server.close());

  test("an absolute URL without a path is sent as / (not the URL's last character)", async () => {
    const config = validateConfig(
      { target: { url: server.url! }, load: { rate: 10, duration: '500ms', requests: [{ url: server.url! }, { url: `${server.url!}?q=1` }] } },
      'inline',
    );
    const plan = toLoadPlan(config, tmpdir(), 'inline');
    assert.deepEqual(
      plan.requests.map((r) => r.path),
      ['/', '/?q=1'],
    );
    seen.length = 0;
    const run = await runEngine(plan, 1);
    assert.equal(run.requests.ok, 5);
    assert.deepEqual([...new Set(seen.map((s) => s.url))].sort(), ['/', '/?q=1']);
  });

  test("a line break in a static header or URL is a config error; from a data file it is the request's error, never sent", async () => {
    const bad = validateConfig(
      {
        target: { url: server.url! },
        load: {
          requests: [
            { url: '/ok', headers: { 'x-a': '1\r\nX-Smuggled: yes' } },
            { url: '/x', headers: { 'bad name': 'v' } },
          ],
        },
      },
      'inline',
    );
    assert.throws(
      () => toLoadPlan(bad, tmpdir(), 'inline'),
      (err: Error) => {
        assert.match(
          err.message,
          /load\.requests\.0\.headers\.x-a: contains a line break \(CR or LF\) or NUL: it would end the line and start a second request/,
        );
        assert.match(err.message, /load\.requests\.1\.headers\.bad name: is not a valid header name/);
        return true;
      },
    );
    const dir = tempDir('golive-data-');
    try {
      writeFileSync(path.join(dir, 'rows.json'), JSON.stringify([{ v: 'fine' }, { v: 'evil\r\nX-Smuggled: yes' }]));
      const config = validateConfig(
        {
          target: { url: server.url! },
          load: { rate: 20, duration: '500ms', connections: 1, requests: [{ url: '/h', headers: { 'x-v': '{{data.v}}' } }], data: { file: 'rows.json' } },
        },
        'inline',
      );
      seen.length = 0;
      const run = await runEngine(toLoadPlan(config, dir, 'inline'), 1);
      assert.equal(run.requests.ok, 5);
      assert.equal(run.requests.byOutcome['error'], 5, 'the rows with a line break are errors');
      assert.equal(seen.length, 5, 'and were never sent');
      assert.ok(seen.every((s) => s.headers['x-v'] === 'fine' && s.headers['x-smuggled'] === undefined));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
