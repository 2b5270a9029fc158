/**
 * Up to `size` keep-alive connections to one origin. Requests beyond the free connections wait in a FIFO
 * queue, as they would in any client: that wait is part of the latency users see.
 */
import { Http1Connection, type ConnectionOwner, type ConnectionTarget, type Exchange } from './http1-connection.js';

export class Http1Pool implements ConnectionOwner {
  private readonly idle: Http1Connection[] = [];
  private readonly all = new Set<Http1Connection>();
  private queue: Exchange[] = [];
  private queueHead = 0;
  /** Exchanges re-sent after a stale keep-alive close; reported so the figure is visible. */
  retries = 0;

  constructor(
    private readonly target: ConnectionTarget,
    private readonly size: number,
    private readonly readBuffer: Buffer,
  ) {}

  get queued(): number {
    return this.queue.length - this.queueHead;
  }

  /** Opens every connection now so the first second of load does not pay for handshakes. */
  warmUp(): Promise<void> {
    const opening: Promise<void>[] = [];
    while (this.all.size < this.size) {
      const conn = this.open();
      opening.push(
        new Promise((resolve) => {
          conn.onReady = resolve;
        }),
      );
    }
    return Promise.all(opening).then(() => undefined);
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
    if (this.queued === 0) return;
    const waiting = this.queue.slice(this.queueHead);
    this.queue = [];
    this.queueHead = 0;
    for (const ex of waiting) {
      if (now >= ex.deadline) ex.done(0, undefined, 'timeout');
      else this.queue.push(ex);
    }
  }

  close(): void {
    for (const conn of this.all) conn.destroy();
    this.all.clear();
    this.idle.length = 0;
  }

  onIdle(conn: Http1Connection): void {
    conn.onReady?.();
    conn.onReady = undefined;
    const next = this.dequeue();
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
    const next = this.dequeue();
    if (next) this.open().send(next);
  }

  private open(): Http1Connection {
    const conn = new Http1Connection(this.target, this.readBuffer, this);
    this.all.add(conn);
    return conn;
  }

  private dequeue(): Exchange | undefined {
    if (this.queueHead >= this.queue.length) return undefined;
    const next = this.queue[this.queueHead++];
    if (this.queueHead > 1024 && this.queueHead * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.queueHead);
      this.queueHead = 0;
    }
    return next;
  }
}
