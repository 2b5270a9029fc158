/**
 * The frame-level HTTP/2 client against node's own HTTP/2 server (flow control both ways, stream limits,
 * CONTINUATION, trailers) and against raw servers that misbehave on purpose (GOAWAY, REFUSED_STREAM,
 * oversized frames, endless CONTINUATION, broken HPACK, silence).
 */
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { encodeHeaderBlock } from '../../../src/engine/worker/hpack.js';
import { createHttp2Transport } from '../../../src/engine/worker/http2-transport.js';
import type { Outgoing, Transport } from '../../../src/engine/worker/transport.js';
import type { Outcome } from '../../../src/model/outcome.js';

interface Result {
  status: number;
  body: string | undefined;
  failure: Outcome | undefined;
  headers: string[] | undefined;
}

function request(method: string, path: string, body?: Buffer, headers: Record<string, string> = {}): Outgoing {
  return { method, path, headers, body, http1Bytes: undefined };
}

function send(t: Transport, o: Outgoing, options: { wantHeaders?: string[]; timeoutMs?: number } = {}): Promise<Result> {
  return new Promise((resolve) =>
    t.send(o, { body: true, headers: options.wantHeaders }, performance.now() + (options.timeoutMs ?? 10_000), (status, body, failure, headers) =>
      resolve({ status, body: body?.toString('latin1'), failure, headers }),
    ),
  );
}

/** Calls `expire` as the worker does, until `until` settles. */
async function withExpiry<T>(t: Transport, until: Promise<T>): Promise<T> {
  const timer = setInterval(() => t.expire(performance.now()), 25);
  try {
    return await until;
  } finally {
    clearInterval(timer);
  }
}

describe('HTTP/2 client against node:http2', () => {
  let server: http2.Http2Server;
  let origin: string;
  let maxActive = 0;
  let active = 0;
  before(async () => {
    server = http2.createServer({ settings: { maxConcurrentStreams: 5 }, maxHeaderListPairs: 4000 }, (req, res) => {
      active++;
      maxActive = Math.max(maxActive, active);
      let n = 0;
      req.on('data', (d: Buffer) => (n += d.length));
      req.on('end', () => {
        const url = new URL(req.url, 'http://x');
        const respond = (): void => {
          active--;
          if (url.pathname === '/big') {
            res.end(Buffer.alloc(3 * 1024 * 1024, 0x62));
            return;
          }
          if (url.pathname === '/many-headers') {
            // A header block well over one 16 KiB frame: the server sends CONTINUATION frames.
            for (let i = 0; i < 400; i++) res.setHeader(`x-h${i}`, 'v'.repeat(100));
          }
          res.setHeader('x-got', String(n));
          if (url.pathname === '/trailers') {
            res.addTrailers({ 'x-checksum': 'abc' });
            res.write('part');
          }
          res.end(`${req.method} ${url.pathname} ${n}`);
        };
        if (url.searchParams.has('slow')) setTimeout(respond, 30);
        else respond();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => server.close());

  test('GET and POST; a 1 MiB upload waits for the window, a 3 MiB download gives it back', async () => {
    const t = createHttp2Transport(new URL(origin), 2, false, 10_000);
    try {
      await t.warmUp();
      const get = await send(t, request('GET', '/hello'), { wantHeaders: ['x-got'] });
      assert.deepEqual(get, { status: 200, body: 'GET /hello 0', failure: undefined, headers: ['x-got', '0'] });
      const upload = Buffer.alloc(1024 * 1024, 0x61);
      const post = await send(t, request('POST', '/up', upload));
      assert.equal(post.body, `POST /up ${upload.length}`);
      const big = await send(t, request('GET', '/big'));
      assert.equal(big.status, 200);
      assert.equal(big.body?.length, 3 * 1024 * 1024);
      const trailers = await send(t, request('GET', '/trailers'));
      assert.equal(trailers.body, 'partGET /trailers 0');
      const many = await send(t, request('GET', '/many-headers'), { wantHeaders: ['x-h399'] });
      assert.deepEqual(many.headers, ['x-h399', 'v'.repeat(100)]);
    } finally {
      t.close();
    }
  });

  test("200 requests at once over 2 sessions never exceed the server's 5 streams per session", async () => {
    const t = createHttp2Transport(new URL(origin), 2, false, 10_000);
    try {
      await t.warmUp();
      maxActive = 0;
      const results = await Promise.all(Array.from({ length: 200 }, (_, i) => send(t, request('GET', `/r${i}?slow`))));
      assert.equal(results.filter((r) => r.status === 200).length, 200);
      assert.ok(results.every((r, i) => r.body === `GET /r${i} 0`));
      assert.ok(maxActive <= 10, `the server saw ${maxActive} streams at once`);
      assert.ok(maxActive >= 6, `both sessions used (${maxActive} at once)`);
    } finally {
      t.close();
    }
  });

  test('a refused port fails every waiting request as connect_refused', async () => {
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    probe.close();
    const t = createHttp2Transport(new URL(`http://127.0.0.1:${port}`), 2, false, 10_000);
    try {
      const results = await withExpiry(t, Promise.all([send(t, request('GET', '/')), send(t, request('GET', '/')), send(t, request('GET', '/'))]));
      assert.deepEqual(
        results.map((r) => r.failure),
        ['connect_refused', 'connect_refused', 'connect_refused'],
      );
    } finally {
      t.close();
    }
  });
});

// ---- raw servers that speak frames by hand ----

interface ClientFrame {
  type: number;
  flags: number;
  stream: number;
  payload: Buffer;
}

function frame(type: number, flags: number, stream: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const head = Buffer.alloc(9);
  head.writeUIntBE(payload.length, 0, 3);
  head[3] = type;
  head[4] = flags;
  head.writeUInt32BE(stream, 5);
  return Buffer.concat([head, payload]);
}
const SETTINGS = frame(4, 0, 0);
const u32 = (v: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v);
  return b;
};
const okHeaders = (stream: number): Buffer => frame(1, 0x4, stream, encodeHeaderBlock([[':status', '200']]));
const okBody = (stream: number, text = 'ok'): Buffer => frame(0, 0x1, stream, Buffer.from(text));

/** A server that reads the client's frames and answers through `onFrame`; counts connections. */
async function rawServer(
  onFrame: (f: ClientFrame, socket: net.Socket, connection: number) => void,
  settings = SETTINGS,
): Promise<{ origin: string; connections: () => number; close: () => void }> {
  let connections = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    const connection = connections++;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    let buf = Buffer.alloc(0);
    let prefaceSeen = false;
    socket.write(settings);
    socket.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (!prefaceSeen) {
        if (buf.length < 24) return;
        buf = buf.subarray(24);
        prefaceSeen = true;
      }
      while (buf.length >= 9) {
        const length = buf.readUIntBE(0, 3);
        if (buf.length < 9 + length) break;
        const f = { type: buf[3]!, flags: buf[4]!, stream: buf.readUInt32BE(5) & 0x7fffffff, payload: buf.subarray(9, 9 + length) };
        buf = buf.subarray(9 + length);
        if (!socket.destroyed) onFrame(f, socket, connection);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections: () => connections,
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

describe('HTTP/2 client against hostile servers', () => {
  test('GOAWAY before the streams it names: they go out again on a new connection (counted as retries)', async () => {
    const srv = await rawServer((f, socket, connection) => {
      if (f.type !== 1) return;
      if (connection === 0)
        socket.write(frame(7, 0, 0, Buffer.concat([u32(0), u32(0)]))); // processed none
      else socket.write(Buffer.concat([okHeaders(f.stream), okBody(f.stream)]));
    });
    const t = createHttp2Transport(new URL(srv.origin), 1, false, 10_000);
    try {
      await t.warmUp();
      const results = await withExpiry(t, Promise.all([send(t, request('GET', '/a')), send(t, request('POST', '/b', Buffer.from('x')))]));
      assert.deepEqual(
        results.map((r) => [r.status, r.body]),
        [
          [200, 'ok'],
          [200, 'ok'],
        ],
      );
      assert.equal(t.retries, 2);
      assert.ok(srv.connections() >= 2);
    } finally {
      t.close();
      srv.close();
    }
  });

  test('REFUSED_STREAM: an idempotent request is sent once more; a second refusal is its failure', async () => {
    let refusals = 0;
    const srv = await rawServer((f, socket) => {
      if (f.type !== 1) return;
      refusals++;
      socket.write(frame(3, 0, f.stream, u32(0x7)));
    });
    const t = createHttp2Transport(new URL(srv.origin), 1, false, 10_000);
    try {
      await t.warmUp();
      const r = await withExpiry(t, send(t, request('GET', '/')));
      assert.equal(r.failure, 'connection_reset');
      assert.equal(refusals, 2);
      assert.equal(t.retries, 1);
    } finally {
      t.close();
      srv.close();
    }
  });

  test('protocol violations fail the request as protocol_error at once, with bounded memory', async () => {
    const attacks: [string, (stream: number) => Buffer][] = [
      ['a frame over the 16 KiB we allow', (s) => frame(0, 0, s, Buffer.alloc(20_000))],
      ['broken HPACK', (s) => frame(1, 0x4, s, Buffer.from([0x80]))],
      ['data before the response head', (s) => okBody(s)],
      ['a status outside 100–599', (s) => frame(1, 0x5, s, encodeHeaderBlock([[':status', '999']]))],
      ['PUSH_PROMISE (push is off)', (s) => frame(5, 0x4, s, Buffer.concat([u32(2), encodeHeaderBlock([[':method', 'GET']])]))],
      [
        'endless CONTINUATION',
        (s) => Buffer.concat([frame(1, 0, s, Buffer.from([0x88])), ...Array.from({ length: 2000 }, () => frame(9, 0, s, Buffer.alloc(16_000, 0x88)))]),
      ],
      // Nothing to count in bytes: only the number of frames can bound them.
      ['endless empty CONTINUATION', (s) => Buffer.concat([frame(1, 0, s, Buffer.from([0x88])), ...new Array<Buffer>(100_000).fill(frame(9, 0, s))])],
      // 0 × 2^shift is NaN past 1,024 bits: a table size update of NaN passed every check, the table grew without end.
      [
        'an HPACK table size update that decodes as NaN',
        (s) => frame(1, 0x5, s, Buffer.concat([Buffer.from([0x3f]), Buffer.alloc(200, 0x80), Buffer.from([0x00, 0x88])])),
      ],
      ['an HPACK table size update over our SETTINGS_HEADER_TABLE_SIZE', (s) => frame(1, 0x5, s, Buffer.from([0x3f, 0xe2, 0x1f, 0x88]))],
    ];
    for (const [name, attack] of attacks) {
      const srv = await rawServer((f, socket) => {
        if (f.type === 1) socket.write(attack(f.stream));
      });
      const t = createHttp2Transport(new URL(srv.origin), 1, false, 10_000);
      try {
        await t.warmUp();
        const started = performance.now();
        const before = process.memoryUsage().rss;
        const r = await withExpiry(t, send(t, request('GET', '/')));
        assert.equal(r.failure, 'protocol_error', name);
        assert.ok(performance.now() - started < 5000, `${name}: failed at once`);
        assert.ok(process.memoryUsage().rss - before < 96 * 1024 * 1024, `${name}: memory`);
      } finally {
        t.close();
        srv.close();
      }
    }
  });

  test('a silent server: the request times out, its stream is cancelled, PING is answered', async () => {
    const seen: ClientFrame[] = [];
    let cancelled!: () => void;
    const rstSeen = new Promise<void>((resolve) => (cancelled = resolve));
    const srv = await rawServer((f, socket) => {
      seen.push(f);
      if (f.type === 1) socket.write(frame(6, 0, 0, Buffer.from('12345678')));
      if (f.type === 3) cancelled();
    });
    const t = createHttp2Transport(new URL(srv.origin), 1, false, 10_000);
    try {
      await t.warmUp();
      const r = await withExpiry(t, send(t, request('GET', '/'), { timeoutMs: 200 }));
      assert.equal(r.failure, 'timeout');
      await rstSeen;
      const rst = seen.find((f) => f.type === 3)!;
      assert.equal(rst.payload.readUInt32BE(0), 0x8, 'RST_STREAM CANCEL');
      const pong = seen.find((f) => f.type === 6);
      assert.ok(pong && pong.flags === 1 && pong.payload.toString() === '12345678', 'PING ACK with the same payload');
    } finally {
      t.close();
      srv.close();
    }
  });

  test('PING and SETTINGS floods while the server reads nothing: the acknowledgements waiting are bounded, the connection fails', async () => {
    const LIMIT = 3_000_000;
    let sent = 0;
    const batch = Buffer.concat(Array.from({ length: 10_000 }, (_, i) => (i % 2 ? frame(6, 0, 0, Buffer.alloc(8)) : SETTINGS)));
    let floodEnded!: () => void;
    const ended = new Promise<void>((resolve) => (floodEnded = resolve));
    const srv = await rawServer((f, socket) => {
      if (f.type !== 1) return;
      socket.pause(); // reads nothing more: every acknowledgement stays with the client
      socket.on('close', floodEnded);
      const flood = (): void => {
        while (!socket.destroyed && sent < LIMIT) {
          sent += 10_000;
          if (!socket.write(batch)) return void socket.once('drain', flood);
        }
        floodEnded();
      };
      flood();
    });
    const t = createHttp2Transport(new URL(srv.origin), 1, false, 10_000);
    try {
      await t.warmUp();
      const r = await withExpiry(t, send(t, request('GET', '/'), { timeoutMs: 30_000 }));
      assert.equal(r.failure, 'protocol_error');
      await ended;
      assert.ok(sent < LIMIT, `the client took all ${sent} frames without failing the connection`);
    } finally {
      t.close();
      srv.close();
    }
  });

  test('50,000 PINGs from a server that reads the answers: every one is answered, the connection goes on', async () => {
    let pongs = 0;
    let stream = 0;
    const pings = Buffer.concat(Array.from({ length: 10_000 }, () => frame(6, 0, 0, Buffer.alloc(8))));
    const srv = await rawServer((f, socket) => {
      if (f.type === 1) {
        stream = f.stream;
        for (let i = 0; i < 5; i++) socket.write(pings);
      }
      if (f.type === 6 && f.flags === 1 && ++pongs === 50_000) socket.write(Buffer.concat([okHeaders(stream), okBody(stream)]));
    });
    const t = createHttp2Transport(new URL(srv.origin), 1, false, 10_000);
    try {
      await t.warmUp();
      const r = await withExpiry(t, send(t, request('GET', '/'), { timeoutMs: 30_000 }));
      assert.deepEqual([r.status, r.body, pongs], [200, 'ok', 50_000]);
    } finally {
      t.close();
      srv.close();
    }
  });

  test('a server that refuses every stream with GOAWAY: each request goes out again once at most, then fails', async () => {
    let streams = 0;
    const srv = await rawServer((f, socket) => {
      if (f.type !== 1) return;
      streams++;
      socket.write(frame(7, 0, 0, Buffer.concat([u32(0), u32(0)]))); // processed none
    });
    const t = createHttp2Transport(new URL(srv.origin), 2, false, 10_000);
    try {
      await t.warmUp();
      const results = await withExpiry(t, Promise.all(Array.from({ length: 100 }, () => send(t, request('GET', '/'), { timeoutMs: 5000 }))));
      assert.deepEqual(new Set(results.map((r) => r.failure)), new Set(['connection_reset']));
      assert.ok(streams <= 200, `${streams} streams for 100 requests`);
      assert.ok(srv.connections() <= 10, `${srv.connections()} connections for 100 requests`);
    } finally {
      t.close();
      srv.close();
    }
  });

  test('a server that never sends its SETTINGS, or never finishes the TLS handshake: warm-up ends at the setup deadline, requests time out', async () => {
    let closedByClient = 0;
    let onClosed = (): void => undefined;
    const sockets = new Set<net.Socket>();
    const server = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        sockets.delete(socket);
        closedByClient++;
        onClosed();
      });
      socket.resume(); // reads the preface (or the ClientHello) and answers nothing
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      for (const scheme of ['http', 'https']) {
        closedByClient = 0;
        const t = createHttp2Transport(new URL(`${scheme}://127.0.0.1:${port}`), 2, true, 300);
        try {
          let hung: NodeJS.Timeout | undefined;
          const warm = await Promise.race([
            t.warmUp().then(() => 'ended'),
            new Promise<string>((resolve) => (hung = setTimeout(() => resolve('still waiting after 15 s'), 15_000))),
          ]);
          clearTimeout(hung);
          assert.equal(warm, 'ended', scheme);
          // Both connections closed by the client (waited for: the server hears of it a moment later).
          await new Promise<void>((resolve) => {
            onClosed = () => {
              if (closedByClient >= 2) resolve();
            };
            onClosed();
          });
          const r = await withExpiry(t, send(t, request('GET', '/'), { timeoutMs: 60_000 }));
          assert.equal(r.failure, 'timeout', scheme);
        } finally {
          t.close();
        }
      }
    } finally {
      for (const s of sockets) s.destroy();
      server.close();
    }
  });

  test('a server that stops reading: new streams wait for the socket to drain instead of piling up in memory', async () => {
    const N = 2000;
    let headers = 0;
    let stalled: net.Socket | undefined;
    const manyStreams = frame(4, 0, 0, Buffer.concat([Buffer.from([0, 3]), u32(10_000)])); // MAX_CONCURRENT_STREAMS
    const srv = await rawServer((f, socket) => {
      if (f.type !== 1) return;
      if (f.payload.includes('/sentinel')) {
        socket.write(Buffer.concat([okHeaders(f.stream), okBody(f.stream)]));
        return;
      }
      headers++;
      if (!stalled) {
        stalled = socket;
        socket.pause(); // a frozen application: the kernel's buffers fill, then the client's
      }
    }, manyStreams);
    const t = createHttp2Transport(new URL(srv.origin), 1, false, 10_000);
    try {
      await t.warmUp();
      const pad = { 'x-pad': 'p'.repeat(16_000) };
      const results = await withExpiry(t, Promise.all(Array.from({ length: N }, () => send(t, request('GET', '/', undefined, pad), { timeoutMs: 1000 }))));
      assert.ok(results.every((r) => r.failure === 'timeout'));
      // Reading again: everything the client wrote arrives, then a request sent last.
      stalled!.resume();
      const last = await withExpiry(t, send(t, request('GET', '/sentinel'), { timeoutMs: 30_000 }));
      assert.equal(last.status, 200);
      assert.ok(headers < N / 2, `${headers} of ${N} requests were written to a socket that took nothing`);
    } finally {
      t.close();
      srv.close();
    }
  });

  test('an HPACK bomb (one 4 KiB entry referenced 12,000 times) resets its stream; the connection goes on', async () => {
    const entry = Buffer.concat([Buffer.from([0x40 | 55, 0x7f, 0xa1, 0x1e]), Buffer.alloc(4000, 0x61)]); // set-cookie, 4,000 octets, indexed
    const bomb = Buffer.concat([Buffer.from([0x88]), entry, Buffer.alloc(12_000, 0x80 | 62)]);
    const srv = await rawServer((f, socket) => {
      if (f.type !== 1) return;
      if (f.payload.includes('/bomb'))
        socket.write(Buffer.concat([frame(1, 0x1, f.stream, bomb.subarray(0, 10_000)), frame(9, 0x4, f.stream, bomb.subarray(10_000))]));
      else socket.write(Buffer.concat([okHeaders(f.stream), okBody(f.stream)]));
    });
    const t = createHttp2Transport(new URL(srv.origin), 1, false, 10_000);
    try {
      await t.warmUp();
      const r = await withExpiry(t, send(t, request('GET', '/bomb'), { wantHeaders: ['set-cookie'] }));
      assert.equal(r.failure, 'protocol_error', `${r.headers?.length ?? 0} header fields kept`);
      const next = await withExpiry(t, send(t, request('GET', '/next')));
      assert.deepEqual([next.status, next.body], [200, 'ok']);
      assert.equal(srv.connections(), 1);
    } finally {
      t.close();
      srv.close();
    }
  });

  test('SETTINGS and WINDOW_UPDATE floods while 4,000 uploads wait for window: the work per frame does not grow with the streams', async () => {
    const N = 4000;
    const settingsOf = (pairs: [number, number][]): Buffer =>
      frame(4, 0, 0, Buffer.concat(pairs.map(([id, v]) => Buffer.concat([Buffer.from([id >> 8, id & 0xff]), u32(v)]))));
    const streams: number[] = [];
    const srv = await rawServer(
      (f, socket) => {
        if (f.type === 0 && f.flags & 0x1) socket.write(Buffer.concat([okHeaders(f.stream), okBody(f.stream)]));
        if (f.type !== 1 || streams.push(f.stream) < N) return;
        // Every upload waits for window: 100 SETTINGS of 2,730 entries each, 100,000 one-octet updates to one stream.
        const settings = settingsOf(Array.from({ length: 2730 }, (): [number, number] => [4, 0]));
        for (let i = 0; i < 100; i++) socket.write(settings);
        const one = frame(8, 0, streams[0]!, u32(1));
        socket.write(Buffer.concat(new Array<Buffer>(100_000).fill(one)));
        // Then the window every upload needs.
        socket.write(Buffer.concat(streams.map((id) => frame(8, 0, id, u32(8)))));
      },
      settingsOf([
        [3, 10_000], // MAX_CONCURRENT_STREAMS
        [4, 0], // INITIAL_WINDOW_SIZE
      ]),
    );
    const t = createHttp2Transport(new URL(srv.origin), 1, false, 10_000);
    try {
      await t.warmUp();
      let hung: NodeJS.Timeout | undefined;
      const results = await withExpiry(
        t,
        Promise.race([
          Promise.all(Array.from({ length: N }, (_, i) => send(t, request('POST', `/u${i}`, Buffer.from('12345678')), { timeoutMs: 120_000 }))),
          new Promise<'hung'>((resolve) => (hung = setTimeout(() => resolve('hung'), 60_000))),
        ]),
      );
      clearTimeout(hung);
      assert.notEqual(results, 'hung', 'the uploads did not end within 60 s');
      assert.equal(results !== 'hung' && results.filter((r) => r.status === 200).length, N);
    } finally {
      t.close();
      srv.close();
    }
  });

  test('a server that lets no stream start (zero streams, then a close or GOAWAY): connections are not opened again without end', async () => {
    const zeroStreams = frame(4, 0, 0, Buffer.concat([Buffer.from([0, 3]), u32(0)])); // MAX_CONCURRENT_STREAMS 0
    const endings: [string, (socket: net.Socket) => void][] = [
      ['close', (socket) => socket.end()],
      ['GOAWAY', (socket) => socket.write(frame(7, 0, 0, Buffer.concat([u32(0), u32(0)])))],
    ];
    for (const [name, end] of endings) {
      let streams = 0;
      const srv = await rawServer((f, socket) => {
        if (f.type === 1) streams++;
        if (f.type === 4 && !(f.flags & 0x1)) end(socket); // the client's SETTINGS: its preface is in
      }, zeroStreams);
      const t = createHttp2Transport(new URL(srv.origin), 1, false, 10_000);
      try {
        const results = await withExpiry(t, Promise.all(Array.from({ length: 100 }, () => send(t, request('GET', '/'), { timeoutMs: 3000 }))));
        assert.deepEqual(new Set(results.map((r) => r.failure)), new Set(['connection_reset']), name);
        assert.equal(streams, 0, name);
        assert.ok(srv.connections() <= 10, `${name}: ${srv.connections()} connections for 100 requests`);
      } finally {
        t.close();
        srv.close();
      }
    }
  });
});
