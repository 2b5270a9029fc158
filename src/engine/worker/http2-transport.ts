/**
 * HTTP/2: `connections` sessions (http2-session.ts), each carrying up to the server's
 * SETTINGS_MAX_CONCURRENT_STREAMS streams. A request goes to the next session round-robin that has a free
 * stream; when none has, it waits in one FIFO queue, and that wait is part of its latency, as in any client.
 */
import { isIP } from 'node:net';
import type { Outcome } from '../../model/outcome.js';
import type { ConnectionTarget } from './http1-connection.js';
import { Http2Session, type SessionOwner, type StreamRequest } from './http2-session.js';
import { encodeHttp2Block, isIdempotent, type Done, type Outgoing, type Transport, type Wants } from './transport.js';
import { WaitingQueue } from './waiting-queue.js';

/** `setupTimeoutMs` bounds connect, TLS and the server's first SETTINGS together: past it, the connection fails as a timeout. */
export function createHttp2Transport(url: URL, connections: number, insecure: boolean, setupTimeoutMs: number): Transport {
  const isTls = url.protocol === 'https:';
  const hostname = url.hostname.replace(/^\[|\]$/g, '');
  const target: ConnectionTarget = {
    host: hostname,
    port: Number(url.port || (isTls ? 443 : 80)),
    // SNI carries host names only (RFC 6066).
    tls: isTls ? { servername: isIP(hostname) ? undefined : hostname, rejectUnauthorized: !insecure } : undefined,
  };
  const pool = new Http2Pool(target, Math.max(1, connections), Buffer.allocUnsafe(64 * 1024), setupTimeoutMs);
  const scheme = url.protocol.slice(0, -1);
  return {
    warmUp: () => pool.warmUp(),
    send(request: Outgoing, wants: Wants, deadline: number, done: Done) {
      pool.send({
        block: request.http2Block ?? encodeHttp2Block(request, scheme, url.host),
        body: request.body,
        wantBody: wants.body,
        wantHeaders: wants.headers,
        idempotent: isIdempotent(request.method),
        resent: false,
        deadline,
        done,
      });
    },
    expire: (now) => pool.expire(now),
    close: () => pool.close(),
    get retries() {
      return pool.retries;
    },
  };
}

/** Sessions in a row, per connection slot, that may close without a response before what waits fails instead. */
const FRUITLESS_PER_SLOT = 3;

class Http2Pool implements SessionOwner {
  /** One slot per connection; a closed session's slot is opened again when a request needs it. */
  private readonly sessions: (Http2Session | undefined)[];
  private next = 0;
  private readonly queue = new WaitingQueue<StreamRequest>((request) => request.done(0, undefined, 'timeout'));
  private closed = false;
  /** Requests sent again after the server refused them unprocessed (REFUSED_STREAM, or beyond a GOAWAY). */
  retries = 0;
  /** Sessions in a row that closed without a response. */
  private fruitless = 0;

  constructor(
    private readonly target: ConnectionTarget,
    size: number,
    private readonly readBuffer: Buffer,
    private readonly setupTimeoutMs: number,
  ) {
    this.sessions = new Array<Http2Session | undefined>(size).fill(undefined);
  }

  warmUp(): Promise<void> {
    return Promise.all(
      this.sessions.map((_, i) => {
        const session = this.open(i);
        return new Promise<void>((resolve) => {
          session.onReady = resolve;
        });
      }),
    ).then(() => undefined);
  }

  send(request: StreamRequest): void {
    const session = this.free();
    if (session) session.start(request);
    else this.queue.push(request);
  }

  expire(now: number): void {
    for (const session of this.sessions) session?.expire(now);
    this.queue.expire(now);
  }

  close(): void {
    this.closed = true;
    for (const session of this.sessions) session?.destroy();
  }

  onSlot(session: Http2Session): void {
    while (session.canStart) {
      const next = this.queue.shift();
      if (!next) return;
      session.start(next);
    }
  }

  onRefused(_session: Http2Session, requests: StreamRequest[]): void {
    for (const request of requests) {
      this.retries++;
      this.send(request);
    }
  }

  onClosed(session: Http2Session, outcome: Outcome, wasReady: boolean): void {
    const i = this.sessions.indexOf(session);
    if (i >= 0) this.sessions[i] = undefined;
    if (this.closed) return;
    // Sessions that answered nothing (refused at once, closed, held at zero streams) are not replaced without end.
    this.fruitless = session.served > 0 ? 0 : this.fruitless + 1;
    if (!wasReady || this.fruitless >= FRUITLESS_PER_SLOT * this.sessions.length) {
      // No usable connection: what waits fails as the connection did, as each HTTP/1.1 exchange would.
      if (!this.sessions.some((s) => s?.ready)) for (let r = this.queue.shift(); r; r = this.queue.shift()) r.done(0, undefined, outcome);
      return;
    }
    if (this.queue.size > 0 && i >= 0) this.open(i);
  }

  /** The next session round-robin that can start a stream, opening a closed slot when needed. */
  private free(): Http2Session | undefined {
    const n = this.sessions.length;
    for (let k = 0; k < n; k++) {
      const i = (this.next + k) % n;
      let session = this.sessions[i];
      if (!session) session = this.open(i);
      if (session.canStart) {
        this.next = (i + 1) % n;
        return session;
      }
    }
    return undefined;
  }

  private open(i: number): Http2Session {
    const session = new Http2Session(this.target, this.readBuffer, this, this.setupTimeoutMs);
    this.sessions[i] = session;
    return session;
  }
}
