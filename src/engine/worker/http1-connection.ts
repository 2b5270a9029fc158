/**
 * One keep-alive HTTP/1.1 connection with a minimal response parser, written for the load generator's hot
 * path: requests are pre-encoded bytes, responses are parsed in place from a shared read buffer (`onread`),
 * and the body is copied only when a check needs it. undici's dispatch API reached 52k req/s on one core
 * here, this parser over 100k (see README "Architecture").
 */
import net from 'node:net';
import tls from 'node:tls';
import type { Outcome } from '../../model/outcome.js';
import { outcomeOfError } from './error-outcome.js';
import { Http1ResponseParser } from './http1-parser.js';

/** One request on the wire and the callback that receives its result. */
export interface Exchange {
  bytes: Buffer;
  wantBody: boolean;
  /** Header fields to keep (lower-case names), or none. */
  wantHeaders: readonly string[] | undefined;
  isHead: boolean;
  idempotent: boolean;
  /** performance.now() after which the exchange times out. */
  deadline: number;
  /** Called exactly once: status and body on a response, or the failure's outcome class. */
  done(status: number, body: Buffer | undefined, failure: Outcome | undefined, headers?: string[]): void;
}

export interface ConnectionTarget {
  host: string;
  port: number;
  tls: { servername: string | undefined; rejectUnauthorized: boolean } | undefined;
}

export interface ConnectionOwner {
  onIdle(conn: Http1Connection): void;
  onClosed(conn: Http1Connection, retry: Exchange | undefined): void;
}

export class Http1Connection {
  private readonly socket: net.Socket;
  /** Called once when the socket is first usable or gone (pool warm-up waits on it). */
  onReady: (() => void) | undefined;
  /**
   * performance.now() by which a socket opened without a request (the warm-up) must be connected (TCP and TLS):
   * a server that never accepts or never answers the handshake cannot hold a pool slot. A request's own deadline
   * bounds the socket it waits on.
   */
  connectDeadline = Infinity;
  private exchange: Exchange | undefined;
  private connected = false;
  private closed = false;
  /** Requests completed on this socket: a failure on a reused socket may be a stale keep-alive. */
  private served = 0;
  private receivedAny = false;
  /** Set when a failed exchange went back to the pool for a retry: the pool already knows this socket is gone. */
  private retryHandedOver = false;

  private readonly parser = new Http1ResponseParser();

  constructor(
    target: ConnectionTarget,
    readBuffer: Buffer,
    private readonly owner: ConnectionOwner,
  ) {
    const onread = {
      buffer: readBuffer,
      callback: (n: number, buf: Buffer): boolean => {
        this.onRead(buf, n);
        return true;
      },
    };
    this.socket = target.tls
      ? tls.connect({
          host: target.host,
          port: target.port,
          ...(target.tls.servername ? { servername: target.tls.servername } : {}),
          rejectUnauthorized: target.tls.rejectUnauthorized,
          ALPNProtocols: ['http/1.1'],
          onread, // supported by tls.connect at run time, missing from @types/node
        } as tls.ConnectionOptions)
      : net.connect({ host: target.host, port: target.port, onread });
    this.socket.setNoDelay(true);
    this.socket.once(target.tls ? 'secureConnect' : 'connect', () => {
      this.connected = true;
      if (this.exchange) this.socket.write(this.exchange.bytes);
      else this.owner.onIdle(this);
    });
    this.socket.on('end', () => this.onEnd());
    this.socket.on('error', (err) => this.fail(outcomeOfError(err)));
    this.socket.on('close', () => this.onClose());
  }

  get busy(): boolean {
    return this.exchange !== undefined;
  }

  send(exchange: Exchange): void {
    this.exchange = exchange;
    this.receivedAny = false;
    this.parser.reset(exchange.wantBody, exchange.isHead, exchange.wantHeaders);
    if (this.connected) this.socket.write(exchange.bytes);
  }

  /** Times out the exchange in flight if its deadline passed (the socket cannot be reused after that), or a connect past its deadline. */
  expire(now: number): void {
    if (this.exchange) {
      if (now >= this.exchange.deadline) this.fail('timeout');
    } else if (!this.connected && now >= this.connectDeadline && !this.closed) this.destroy();
  }

  destroy(): void {
    this.closed = true;
    this.socket.destroy();
  }

  private onRead(buf: Buffer, n: number): void {
    const exchange = this.exchange;
    if (!exchange) {
      if (n > 0) this.fail('protocol_error'); // bytes nobody asked for: the stream is out of sync
      return;
    }
    const pos = this.parser.feed(buf, 0, n);
    this.receivedAny = this.parser.receivedAny;
    if (pos < 0) return this.fail('protocol_error');
    if (!this.parser.complete) return;
    // More bytes after a complete response (response splitting): never parsed as the next response.
    if (pos < n) return this.fail('protocol_error');
    this.complete();
  }

  private complete(): void {
    const exchange = this.exchange!;
    const body = this.parser.body();
    const close = this.parser.closeAfter;
    this.exchange = undefined;
    this.served++;
    if (close) this.destroy();
    exchange.done(this.parser.status, body, undefined, this.parser.headers);
    if (!close && !this.closed) this.owner.onIdle(this);
  }

  private fail(outcome: Outcome): void {
    const exchange = this.exchange;
    this.exchange = undefined;
    if (!this.closed) this.destroy();
    if (!exchange) return;
    if (this.isStaleKeepAlive(exchange, outcome)) {
      this.owner.onClosed(this, exchange);
      this.retryHandedOver = true;
      return;
    }
    exchange.done(0, undefined, outcome);
  }

  /**
   * A reused keep-alive socket that the server closed just as we wrote to it: nothing of the response came back.
   * HTTP clients (Go's net/http under k6, browsers) retry idempotent requests then, so users do not see it.
   */
  private isStaleKeepAlive(exchange: Exchange, outcome: Outcome): boolean {
    return this.served > 0 && !this.receivedAny && exchange.idempotent && outcome === 'connection_reset';
  }

  /** The server closed cleanly (FIN): that ends a body it delimits by closing. A reset, an error or a timeout does not. */
  private onEnd(): void {
    if (this.exchange && this.parser.endsAtClose) this.complete();
  }

  private onClose(): void {
    if (this.exchange) this.fail('connection_reset');
    this.closed = true;
    if (!this.retryHandedOver) this.owner.onClosed(this, undefined);
  }
}
