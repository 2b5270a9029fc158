/**
 * Runs the generator's hot path before time zero, so V8 has optimized it when the load starts: the plan's own
 * requests through an HTTP/1.1 transport like the run's, against a responder in this thread on loopback,
 * judged and recorded into a recorder that is thrown away. Nothing is sent to the target. Without it the
 * first second ran interpreted code several times slower while V8 compiled on the same core, and at half the
 * generator's capacity responses queued for up to 150 ms: latency the target never had.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { RequestMix } from './request-mix.js';
import { Recorder } from './recorder.js';
import { createHttp1Transport } from './http1-transport.js';
import type { Wants } from './transport.js';

/** Below this many requests a warm-up is not worth its start-up time: unoptimized code keeps up with such rates. */
const MIN_REQUESTS = 1000;
const MAX_REQUESTS = 20_000;
/** A warm-up that has not finished by then is cut short: it only ever saves time. */
const MAX_MS = 5000;
const RESPONSE = Buffer.from('HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 2\r\n\r\nok', 'latin1');

/** How many warm-up requests a worker starting `peakPerSecond` requests a second should send (0: none). */
export function warmUpRequests(peakPerSecond: number): number {
  const n = Math.min(MAX_REQUESTS, Math.round(peakPerSecond / 2));
  return n < MIN_REQUESTS ? 0 : n;
}

export async function warmUpHotPath(mix: RequestMix, requests: number, connections: number): Promise<void> {
  const responder = await startResponder();
  const transport = createHttp1Transport(new URL(`http://127.0.0.1:${responder.port}`), connections, false);
  const recorder = new Recorder(-1, { rawLog: false });
  const expiry = setInterval(() => transport.expire(performance.now()), 100);
  let cutShort: NodeJS.Timeout | undefined;
  try {
    await transport.warmUp();
    await new Promise<void>((resolve) => {
      cutShort = setTimeout(resolve, MAX_MS);
      let next = 0;
      let active = 0;
      const deadline = performance.now() + MAX_MS;
      const one = (): void => {
        if (next >= requests || performance.now() > deadline) {
          if (--active === 0) resolve();
          return;
        }
        const j = next++;
        const request = mix.pick(j);
        const t = performance.now();
        const outgoing = request.build(j, performance.timeOrigin + t);
        if (outgoing.invalid) {
          setImmediate(one);
          return;
        }
        const wants: Wants = { body: request.wantsBody, headers: undefined };
        transport.send(outgoing, wants, t + 5000, (status, body, failure) => {
          const now = performance.now();
          recorder.record(request.settle(status, body, failure), t, t, now);
          one();
        });
      };
      for (let c = 0; c < Math.min(connections, requests); c++) {
        active++;
        one();
      }
    });
    recorder.snapshot(0, 0, 0, false);
  } finally {
    clearInterval(expiry);
    clearTimeout(cutShort);
    transport.close();
    responder.close();
  }
}

/** Answers every HTTP/1.1 request on a connection with a small 200, skipping request bodies by Content-Length. */
function startResponder(): Promise<{ port: number; close: () => void }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('error', () => socket.destroy());
    socket.on('close', () => sockets.delete(socket));
    let pending: Buffer = Buffer.alloc(0);
    let bodyLeft = 0;
    socket.on('data', (chunk: Buffer) => {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      let at = 0;
      let answers = 0;
      for (;;) {
        if (bodyLeft > 0) {
          const skip = Math.min(bodyLeft, pending.length - at);
          bodyLeft -= skip;
          at += skip;
          if (bodyLeft > 0) break;
          answers++;
          continue;
        }
        const end = pending.indexOf('\r\n\r\n', at, 'latin1');
        if (end < 0) break;
        const length = /\r\ncontent-length:\s*(\d+)/i.exec(pending.toString('latin1', at, end));
        at = end + 4;
        bodyLeft = length ? Number(length[1]) : 0;
        if (bodyLeft === 0) answers++;
      }
      pending = pending.subarray(at);
      for (let i = 0; i < answers; i++) socket.write(RESPONSE);
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () =>
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () => {
          for (const s of sockets) s.destroy();
          server.close();
        },
      }),
    );
  });
}
