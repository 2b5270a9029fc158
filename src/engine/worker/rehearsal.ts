/**
 * A rehearsal before time zero: the worker runs its own share of the load — the same code, the same requests,
 * the same model and rate — twice for 0.3 s against a responder of its own on loopback, records it into
 * figures that are thrown away, then lets V8 finish compiling what the rehearsal made hot. Nothing is sent to
 * the target. Without it the first second ran interpreted code several times slower while V8 compiled on the
 * same core, and at half the generator's capacity responses queued for up to 150 ms: latency the target never
 * had. HTTP/2 and journeys are not rehearsed (they start cold); nor are rates an unoptimized worker keeps up with.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { LoadPlan } from '../plan.js';
import { shareOf } from '../schedule.js';

export const REHEARSAL_MS = 300;
/** Below this many requests a second per worker, unoptimized code keeps up: no rehearsal. */
const MIN_PER_SECOND = 2000;
/** A closed-model VU without think time makes about this many requests a second against a fast server. */
const VU_REQUESTS_PER_SECOND = 200;
/**
 * What the responder answers, in turn: the usual shapes of real servers' responses (a length or chunks, the
 * common headers), so the parser's every branch has run before the load and none is compiled again during it.
 */
const RESPONSES = [
  'HTTP/1.1 200 OK\r\nServer: golive-rehearsal\r\nDate: Thu, 01 Jan 2026 00:00:00 GMT\r\nContent-Type: application/json\r\nContent-Length: 11\r\nConnection: keep-alive\r\n\r\n{"ok":true}',
  'HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ntransfer-encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n',
  'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Request-Id: 7\r\n\r\nok',
].map((r) => Buffer.from(r, 'latin1'));

export interface Rehearsal {
  /** This worker's share of the load, against the responder, for REHEARSAL_MS, as a one-worker plan. */
  plan: LoadPlan;
  close(): void;
}

/** Starts the responder and returns the plan to rehearse; undefined when the load is not worth rehearsing. */
export async function startRehearsal(plan: LoadPlan, index: number, count: number): Promise<Rehearsal | undefined> {
  if (plan.target.http2 || plan.journeys?.length || plan.requests.length === 0 || plan.external) return undefined;
  const model = rehearsedModel(plan, index, count);
  if (!model) return undefined;
  const responder = await startResponder();
  return {
    plan: {
      ...plan,
      target: { origin: `http://127.0.0.1:${responder.port}`, insecure: false, http2: false },
      model,
      durationMs: REHEARSAL_MS,
      maxDurationMs: REHEARSAL_MS,
      connections: Math.max(1, shareOf(plan.connections, index, count)),
      maxInFlight: Math.max(1, shareOf(plan.maxInFlight, index, count)),
    },
    close: responder.close,
  };
}

function rehearsedModel(plan: LoadPlan, index: number, count: number): LoadPlan['model'] | undefined {
  const model = plan.model;
  if (model.kind === 'open') {
    const rps = Math.max(...model.stages.map((s) => Math.max(s.fromRps, s.toRps))) / count;
    if (rps < MIN_PER_SECOND) return undefined;
    return { kind: 'open', executor: 'constant-arrival-rate', stages: [{ durationMs: REHEARSAL_MS, fromRps: rps, toRps: rps }] };
  }
  const vus = shareOf(Math.max(...model.stages.map((s) => Math.max(s.fromVus, s.toVus))), index, count);
  if (model.thinkTimeMs > 0 || vus * VU_REQUESTS_PER_SECOND < MIN_PER_SECOND) return undefined;
  return { kind: 'closed', executor: 'constant-vus', stages: [{ durationMs: REHEARSAL_MS, fromVus: vus, toVus: vus }], thinkTimeMs: 0 };
}

/** Answers every HTTP/1.1 request on a connection with a small 200, skipping request bodies by Content-Length. */
function startResponder(): Promise<{ port: number; close: () => void }> {
  const sockets = new Set<net.Socket>();
  let turn = 0;
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
      for (let i = 0; i < answers; i++) socket.write(RESPONSES[turn++ % RESPONSES.length]!);
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
