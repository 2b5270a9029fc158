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

/** One request on the wire and the callback that receives its result. */
export interface Exchange {
  bytes: Buffer;
  wantBody: boolean;
  isHead: boolean;
  idempotent: boolean;
  /** performance.now() after which the exchange times out. */
  deadline: number;
  /** Called exactly once: status and body on a response, or the failure's outcome class. */
  done(status: number, body: Buffer | undefined, failure: Outcome | undefined): void;
}

export interface ConnectionTarget {
  host: string;
  port: number;
  tls: { servername: string; rejectUnauthorized: boolean } | undefined;
}

export interface ConnectionOwner {
  onIdle(conn: Http1Connection): void;
  onClosed(conn: Http1Connection, retry: Exchange | undefined): void;
}

const enum Body {
  None,
  Length,
  Chunked,
  UntilClose,
}
const enum Chunk {
  Size,
  Data,
  DataEnd,
  Trailer,
}

const CRLFCRLF = Buffer.from('\r\n\r\n');
const MAX_HEAD_BYTES = 64 * 1024;
const MAX_BODY_BYTES = 4 * 1024 * 1024;

export class Http1Connection {
  private readonly socket: net.Socket;
  /** Called once when the socket is first usable or gone (pool warm-up waits on it). */
  onReady: (() => void) | undefined;
  private exchange: Exchange | undefined;
  private connected = false;
  private closed = false;
  /** Requests completed on this socket: a failure on a reused socket may be a stale keep-alive. */
  private served = 0;
  private receivedAny = false;
  /** Set when a failed exchange went back to the pool for a retry: the pool already knows this socket is gone. */
  private retryHandedOver = false;

  // Parser state for the response in progress.
  private inHead = true;
  private headCarry: Buffer | undefined;
  private status = 0;
  private bodyMode: Body = Body.None;
  private remaining = 0;
  private chunkState: Chunk = Chunk.Size;
  private sizeLine = '';
  private closeAfter = false;
  private bodyParts: Buffer[] | undefined;
  private bodyBytes = 0;

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
          servername: target.tls.servername,
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
    this.socket.on('error', (err) => this.fail(outcomeOfError(err)));
    this.socket.on('close', () => this.onClose());
  }

  get busy(): boolean {
    return this.exchange !== undefined;
  }

  send(exchange: Exchange): void {
    this.exchange = exchange;
    this.receivedAny = false;
    if (this.connected) this.socket.write(exchange.bytes);
  }

  /** Times out the exchange in flight if its deadline passed; the socket cannot be reused after that. */
  expire(now: number): void {
    if (this.exchange && now >= this.exchange.deadline) this.fail('timeout');
  }

  destroy(): void {
    this.closed = true;
    this.socket.destroy();
  }

  private onRead(buf: Buffer, n: number): void {
    if (!this.exchange) {
      if (n > 0) this.fail('error'); // bytes nobody asked for: the stream is out of sync
      return;
    }
    this.receivedAny = true;
    let pos = 0;
    while (pos < n && this.exchange) {
      pos = this.inHead ? this.parseHead(buf, pos, n) : this.parseBody(buf, pos, n);
      if (pos < 0) return;
    }
  }

  /** Returns the position after what was consumed, or -1 when the connection was failed. */
  private parseHead(buf: Buffer, start: number, end: number): number {
    let b = buf;
    let from = start;
    let to = end;
    if (this.headCarry) {
      b = Buffer.concat([this.headCarry, buf.subarray(start, end)]);
      from = 0;
      to = b.length;
    }
    const at = b.indexOf(CRLFCRLF, from);
    if (at === -1 || at + 4 > to) {
      if (to - from > MAX_HEAD_BYTES) return this.failed('error');
      this.headCarry = Buffer.from(b.subarray(from, to));
      return end;
    }
    // Where this read continues after the head: with a carried prefix, b's offsets are shifted by its length.
    const headEnd = at + 4;
    const next = this.headCarry ? start + headEnd - this.headCarry.length : headEnd;
    this.headCarry = undefined;
    if (b[from] !== 0x48 /* H */ || b[from + 8] !== 0x20) return this.failed('error');
    const status = (b[from + 9]! - 48) * 100 + (b[from + 10]! - 48) * 10 + (b[from + 11]! - 48);
    if (!(status >= 100 && status <= 599)) return this.failed('error');
    const http10 = b[from + 7] === 0x30;
    let contentLength = -1;
    let chunked = false;
    let close = http10;
    let line = b.indexOf(13, from) + 2;
    while (line < at) {
      let eol = b.indexOf(13, line);
      if (eol === -1 || eol > at) eol = at;
      const first = b[line]! | 0x20;
      if (first === 0x63 /* c */) {
        if (matches(b, line, eol, 'content-length:')) contentLength = parseDecimal(b, line + 15, eol);
        else if (matches(b, line, eol, 'connection:'))
          close = includesToken(b, line + 11, eol, 'close') || (http10 && !includesToken(b, line + 11, eol, 'keep-alive'));
      } else if (first === 0x74 /* t */ && matches(b, line, eol, 'transfer-encoding:')) {
        chunked = includesToken(b, line + 18, eol, 'chunked');
      }
      line = eol + 2;
    }
    if (status < 200) return next; // 1xx (100 Continue, 103 Early Hints): an interim head, the real one follows
    this.status = status;
    this.closeAfter = close;
    this.inHead = false;
    this.bodyParts = this.exchange!.wantBody ? [] : undefined;
    this.bodyBytes = 0;
    if (this.exchange!.isHead || status === 204 || status === 304) this.bodyMode = Body.None;
    else if (chunked) {
      this.bodyMode = Body.Chunked;
      this.chunkState = Chunk.Size;
      this.sizeLine = '';
    } else if (contentLength >= 0) {
      this.bodyMode = Body.Length;
      this.remaining = contentLength;
    } else {
      this.bodyMode = Body.UntilClose;
      this.closeAfter = true;
    }
    if (this.bodyMode === Body.None || (this.bodyMode === Body.Length && this.remaining === 0)) this.complete();
    return next;
  }

  private parseBody(buf: Buffer, start: number, end: number): number {
    let pos = start;
    switch (this.bodyMode) {
      case Body.Length: {
        const take = Math.min(this.remaining, end - pos);
        this.keep(buf, pos, pos + take);
        pos += take;
        this.remaining -= take;
        if (this.remaining === 0) this.complete();
        return pos;
      }
      case Body.UntilClose:
        this.keep(buf, pos, end);
        return end;
      case Body.Chunked:
        return this.parseChunked(buf, pos, end);
      case Body.None:
        return this.failed('error');
    }
  }

  private parseChunked(buf: Buffer, start: number, end: number): number {
    let pos = start;
    while (pos < end && this.exchange) {
      switch (this.chunkState) {
        case Chunk.Size: {
          const nl = buf.indexOf(10, pos);
          if (nl === -1 || nl >= end) {
            this.sizeLine += buf.toString('latin1', pos, end);
            return end;
          }
          const text = (this.sizeLine + buf.toString('latin1', pos, nl)).trim();
          this.sizeLine = '';
          pos = nl + 1;
          const size = parseInt(text, 16); // chunk extensions after ';' are ignored by parseInt
          if (!Number.isFinite(size) || size < 0) return this.failed('error');
          if (size === 0) this.chunkState = Chunk.Trailer;
          else {
            this.remaining = size;
            this.chunkState = Chunk.Data;
          }
          break;
        }
        case Chunk.Data: {
          const take = Math.min(this.remaining, end - pos);
          this.keep(buf, pos, pos + take);
          pos += take;
          this.remaining -= take;
          if (this.remaining === 0) {
            this.chunkState = Chunk.DataEnd;
            this.remaining = 2;
          }
          break;
        }
        case Chunk.DataEnd: {
          const take = Math.min(this.remaining, end - pos);
          pos += take;
          this.remaining -= take;
          if (this.remaining === 0) this.chunkState = Chunk.Size;
          break;
        }
        case Chunk.Trailer: {
          // Trailer lines end with an empty line; with none, that is the "\r\n" right after "0\r\n".
          const nl = buf.indexOf(10, pos);
          if (nl === -1 || nl >= end) {
            this.sizeLine += buf.toString('latin1', pos, end);
            return end;
          }
          const lineText = this.sizeLine + buf.toString('latin1', pos, nl);
          this.sizeLine = '';
          pos = nl + 1;
          if (lineText === '\r' || lineText === '') this.complete();
          break;
        }
      }
    }
    return pos;
  }

  private keep(buf: Buffer, from: number, to: number): void {
    if (!this.bodyParts || to <= from || this.bodyBytes >= MAX_BODY_BYTES) return;
    this.bodyParts.push(Buffer.from(buf.subarray(from, to)));
    this.bodyBytes += to - from;
  }

  private complete(): void {
    const exchange = this.exchange!;
    const body = this.bodyParts ? Buffer.concat(this.bodyParts) : undefined;
    this.exchange = undefined;
    this.bodyParts = undefined;
    this.inHead = true;
    this.served++;
    if (this.closeAfter) this.destroy();
    exchange.done(this.status, body, undefined);
    if (!this.closeAfter && !this.closed) this.owner.onIdle(this);
  }

  private failed(outcome: Outcome): number {
    this.fail(outcome);
    return -1;
  }

  private fail(outcome: Outcome): void {
    const exchange = this.exchange;
    this.exchange = undefined;
    if (!this.closed) this.destroy();
    if (!exchange) return;
    if (this.bodyMode === Body.UntilClose && !this.inHead && outcome !== 'timeout') {
      // The server delimits this body by closing: the close is the end of the response.
      this.bodyMode = Body.None;
      exchange.done(this.status, this.bodyParts ? Buffer.concat(this.bodyParts) : undefined, undefined);
      return;
    }
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

  private onClose(): void {
    if (this.exchange) this.fail('connection_reset');
    this.closed = true;
    if (!this.retryHandedOver) this.owner.onClosed(this, undefined);
  }
}

function matches(b: Buffer, start: number, end: number, lowerName: string): boolean {
  if (end - start < lowerName.length) return false;
  for (let i = 0; i < lowerName.length; i++) {
    if ((b[start + i]! | 0x20) !== lowerName.charCodeAt(i)) return false;
  }
  return true;
}

function parseDecimal(b: Buffer, start: number, end: number): number {
  let value = 0;
  let digits = 0;
  for (let i = start; i < end; i++) {
    const c = b[i]!;
    if (c >= 48 && c <= 57) {
      value = value * 10 + (c - 48);
      digits++;
    } else if (c !== 32 && c !== 9) break;
  }
  return digits > 0 ? value : -1;
}

function includesToken(b: Buffer, start: number, end: number, token: string): boolean {
  return b.toString('latin1', start, end).toLowerCase().includes(token);
}
