import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { Http1Pool } from '../../../src/engine/worker/http1-pool.js';
import type { Outcome } from '../../../src/model/outcome.js';

/**
 * A raw TCP server that answers every request with `response`, written in pieces of `chunk` bytes with a
 * pause in between, so the client's parser meets every split: inside the status line, headers, CRLFs,
 * chunk sizes and bodies.
 */
function rawServer(response: () => Buffer, chunk: number): Promise<{ port: number; close(): void }> {
  const server = net.createServer((socket) => {
    let pending = '';
    socket.on('data', (d) => {
      pending += d.toString('latin1');
      while (pending.includes('\r\n\r\n')) {
        pending = pending.slice(pending.indexOf('\r\n\r\n') + 4);
        const bytes = response();
        let at = 0;
        const closeAfter = /connection: close/i.test(bytes.toString('latin1'));
        const next = (): void => {
          if (socket.destroyed) return;
          if (at >= bytes.length) {
            if (closeAfter) socket.end();
            return;
          }
          socket.write(bytes.subarray(at, at + chunk));
          at += chunk;
          setTimeout(next, 1);
        };
        next();
      }
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ port: (server.address() as net.AddressInfo).port, close: () => server.close() })),
  );
}

function get(pool: Http1Pool, wantBody = true, method = 'GET'): Promise<{ status: number; body: string; failure: Outcome | undefined }> {
  return new Promise((resolve) =>
    pool.send({
      bytes: Buffer.from(`${method} / HTTP/1.1\r\nhost: x\r\n\r\n`),
      wantBody,
      wantHeaders: undefined,
      isHead: method === 'HEAD',
      idempotent: true,
      deadline: performance.now() + 5000,
      done: (status, body, failure) => resolve({ status, body: body?.toString() ?? '', failure }),
    }),
  );
}

const RESPONSES: Record<string, string> = {
  'content-length': 'HTTP/1.1 200 OK\r\nContent-Length: 11\r\nX-A: b\r\n\r\nhello world',
  chunked: 'HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\n\r\n',
  'chunked with trailer': 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nX-T: 1\r\n\r\n',
  '100 Continue first': 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 202 Accepted\r\ncontent-length: 2\r\n\r\nok',
  'empty 204': 'HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n',
};

describe('HTTP/1.1 parser: responses split at every size', () => {
  for (const [name, text] of Object.entries(RESPONSES)) {
    for (const chunk of [1, 2, 3, 7, 1000]) {
      test(`${name}, ${chunk}-byte pieces, 3 in a row on one connection`, async () => {
        const srv = await rawServer(() => Buffer.from(text), chunk);
        const pool = new Http1Pool({ host: '127.0.0.1', port: srv.port, tls: undefined }, 1, Buffer.alloc(65536));
        try {
          for (let i = 0; i < 3; i++) {
            const r = await get(pool);
            const expected = /HTTP\/1\.1 (\d+)[^\n]*\n(?:[^\n]*\n)*?\r\n(?!HTTP)/.exec(text.replace(/^HTTP\/1\.1 100[^]*?\r\n\r\n/, ''));
            assert.equal(r.failure, undefined);
            assert.equal(r.status, Number(expected?.[1]));
            assert.equal(
              r.body,
              { 'content-length': 'hello world', chunked: 'hello world', 'chunked with trailer': 'abc', '100 Continue first': 'ok', 'empty 204': '' }[name],
            );
          }
        } finally {
          pool.close();
          srv.close();
        }
      });
    }
  }
});

describe('HTTP/1.1: connection semantics', () => {
  let srv: { port: number; close(): void };
  before(async () => {
    srv = await rawServer(() => Buffer.from('HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil close'), 4);
  });
  after(() => srv.close());

  test('a body delimited by the server closing', async () => {
    const pool = new Http1Pool({ host: '127.0.0.1', port: srv.port, tls: undefined }, 1, Buffer.alloc(65536));
    assert.deepEqual(await get(pool), { status: 200, body: 'until close', failure: undefined });
    // The pool opens a new connection for the next request.
    assert.deepEqual(await get(pool), { status: 200, body: 'until close', failure: undefined });
    pool.close();
  });
});

describe('HTTP/1.1: response headers for journeys', () => {
  test('the fields asked for, of the final head, split at every size, in any case, repeated Set-Cookie kept apart', async () => {
    const text =
      'HTTP/1.1 100 Continue\r\nX-Interim: no\r\n\r\nHTTP/1.1 303 See Other\r\nLocation: /shop/abc\r\nSet-Cookie: a=1; Path=/\r\nSET-COOKIE: b=2\r\nX-Empty:\r\nContent-Length: 0\r\n\r\n';
    for (const chunk of [1, 5, 1000]) {
      const srv = await rawServer(() => Buffer.from(text), chunk);
      const pool = new Http1Pool({ host: '127.0.0.1', port: srv.port, tls: undefined }, 1, Buffer.alloc(65536));
      try {
        const headers = await new Promise<string[] | undefined>((resolve) =>
          pool.send({
            bytes: Buffer.from('GET / HTTP/1.1\r\nhost: x\r\n\r\n'),
            wantBody: false,
            wantHeaders: ['location', 'set-cookie', 'x-empty'],
            isHead: false,
            idempotent: true,
            deadline: performance.now() + 5000,
            done: (_status, _body, _failure, h) => resolve(h),
          }),
        );
        assert.deepEqual(headers, ['location', '/shop/abc', 'set-cookie', 'a=1; Path=/', 'set-cookie', 'b=2', 'x-empty', ''], `${chunk}-byte pieces`);
      } finally {
        pool.close();
        srv.close();
      }
    }
  });
});
