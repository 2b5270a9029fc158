/**
 * Up to `size` keep-alive connections to one origin. Requests beyond the free connections wait in a FIFO
 * queue, as they would in any client: that wait is part of the latency users see.
 */
import { performance } from 'node:perf_hooks';
import { Http1Connection, type ConnectionOwner, type ConnectionTarget, type Exchange } from './http1-connection.js';
import { WaitingQueue } from './waiting-queue.js';

/**
 * The warm-up waits for its connections while they keep completing, and starts once none has for this long: a
 * target that does not accept or never answers the TLS handshake (a frozen app) is measured by the run, whose
 * requests time out; it does not hold the start. Many slow handshakes that do complete are still all waited for.
 */
const WARM_UP_STALL_MS = 2000;

export class Http1Pool implements ConnectionOwner {
  private readonly idle: Http1Connection[] = [];
  private readonly all = new Set<Http1Connection>();
  private readonly queue = new WaitingQueue<Exchange>((ex) => ex.done(0, undefined, 'timeout'));
  /** Exchanges re-sent after a stale keep-alive close; reported so the figure is visible. */
  retries = 0;

  constructor(
    private readonly target: ConnectionTarget,
    private readonly size: number,
    private readonly readBuffer: Buffer,
    /** How long a connection opened by the warm-up may take to connect (TCP and TLS): the plan's longest timeout. */
    private readonly connectTimeoutMs = 10_000,
  ) {}

  get queued(): number {
    return this.queue.size;
  }

  /** Opens every connection now so the first second of load does not pay for handshakes. */
  warmUp(): Promise<void> {
    const connectDeadline = performance.now() + this.connectTimeoutMs;
    const stallMs = Math.min(WARM_UP_STALL_MS, this.connectTimeoutMs);
    return new Promise((resolve) => {
      let pending = 0;
      let timer: NodeJS.Timeout | undefined;
      const done = (): void => {
        clearTimeout(timer);
        resolve();
      };
      const waitForNext = (): void => {
        clearTimeout(timer);
        timer = setTimeout(done, Math.max(0, Math.min(stallMs, connectDeadline - performance.now())));
      };
      while (this.all.size < this.size) {
        const conn = this.open();
        conn.connectDeadline = connectDeadline;
        pending++;
        conn.onReady = () => (--pending === 0 ? done() : waitForNext());
      }
      if (pending === 0) done();
      else waitForNext();
    });
  }

  send(exchange: Exchange): void {
    const conn = this.idle.pop();
    if (conn) conn.send(exchange);
    else if (this.all.size < this.size) this.open().send(exchange);
    else this.queue.push(exchange);
  }

  /** Fails every exchange past its deadline, queued or on the wire. */
  expire(now: number): void {
    for (const conn of this.all) conn.expire(now);
    this.queue.expire(now);
  }

  close(): void {
    for (const conn of this.all) conn.destroy();
    this.all.clear();
    this.idle.length = 0;
  }

  onIdle(conn: Http1Connection): void {
    conn.onReady?.();
    conn.onReady = undefined;
    const next = this.queue.shift();
    if (next) conn.send(next);
    else this.idle.push(conn);
  }

  onClosed(conn: Http1Connection, retry: Exchange | undefined): void {
    conn.onReady?.();
    conn.onReady = undefined;
    this.all.delete(conn);
    const i = this.idle.indexOf(conn);
    if (i >= 0) this.idle.splice(i, 1);
    if (retry) {
      this.retries++;
      retry.idempotent = false; // once only
      this.open().send(retry);
      return;
    }
    const next = this.queue.shift();
    if (next) this.open().send(next);
  }

  private open(): Http1Connection {
    const conn = new Http1Connection(this.target, this.readBuffer, this);
    this.all.add(conn);
    return conn;
  }
}
