/**
 * One HTTP/2 connection (RFC 9113) of the load generator, at the frame level over `net`/`tls`: streams go
 * out as pre-encoded header blocks, every frame started in one tick leaves in one write, and responses are
 * parsed in place from a shared read buffer. node:http2 cost ~110 µs of CPU per request here (per-stream
 * objects, listeners and wrappers); see README "Architecture" for the numbers.
 *
 * Bounded against a hostile server: frames no larger than the 16 KiB we advertise, header blocks (with
 * CONTINUATION) up to 64 KiB in 64 frames, the kept body up to MAX_BODY_BYTES, flow-control windows checked,
 * connect, TLS and the server's first SETTINGS within one deadline.
 */
import net from 'node:net';
import tls from 'node:tls';
import type { Outcome } from '../../model/outcome.js';
import { outcomeOfError } from './error-outcome.js';
import { HpackDecoder } from './hpack.js';
import { MAX_BODY_BYTES } from './http1-parser.js';
import type { ConnectionTarget } from './http1-connection.js';

/** One request to send as a stream. */
export interface StreamRequest {
  /** The HPACK header block (built once for a constant request). */
  block: Buffer;
  body: Buffer | undefined;
  wantBody: boolean;
  wantHeaders: readonly string[] | undefined;
  idempotent: boolean;
  /** Sent once more already after a refusal that counts (see `refused`): the next such refusal is its failure. */
  resent: boolean;
  /** performance.now() after which the request times out. */
  deadline: number;
  done(status: number, body: Buffer | undefined, failure: Outcome | undefined, headers?: string[]): void;
}

export interface SessionOwner {
  /** The session can take more streams (it became ready, or a stream ended). */
  onSlot(session: Http2Session): void;
  /** Requests the server refused unprocessed: safe to send again elsewhere. */
  onRefused(session: Http2Session, requests: StreamRequest[]): void;
  /** The session is gone: `outcome` is how (what requests waiting for it would fail as), `wasReady` whether it ever took streams. */
  onClosed(session: Http2Session, outcome: Outcome, wasReady: boolean): void;
}

const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');
const FRAME_HEADER = 9;
const enum Frame {
  Data = 0,
  Headers = 1,
  Priority = 2,
  RstStream = 3,
  Settings = 4,
  PushPromise = 5,
  Ping = 6,
  GoAway = 7,
  WindowUpdate = 8,
  Continuation = 9,
}
const END_STREAM = 0x1;
const ACK = 0x1;
const END_HEADERS = 0x4;
const PADDED = 0x8;
const PRIORITY = 0x20;
const REFUSED_STREAM = 0x7;
const CANCEL = 0x8;

/** What we accept: the protocol's default frame size, a header block (and its decoded list) as large as HTTP/1.1's head limit. */
const MAX_FRAME_SIZE = 16_384;
const MAX_HEADER_BLOCK = 64 * 1024;
/** CONTINUATION frames in one header block: empty ones add no bytes, so only their number bounds them. */
const MAX_CONTINUATIONS = 64;
/** Our receive windows: a stream may have 1 MiB unacknowledged, the connection 16 MiB. */
const STREAM_WINDOW = 1 << 20;
const CONNECTION_WINDOW = 1 << 24;
const DEFAULT_WINDOW = 65_535;
const MAX_WINDOW = 0x7fffffff;
const MAX_STREAM_ID = 0x7fffffff;
/**
 * Acknowledgements (of PING, of SETTINGS) waiting to be sent before the connection fails: a server that sends
 * them and reads nothing would queue our answers without end (a "ping flood"; Go's x/net/http2 allows 10,000
 * queued control frames, nghttp2 1,000 acknowledgements).
 */
const MAX_PENDING_ACKS = 10_000;
/** Bytes waiting to be sent past which no stream starts: a server that stops reading holds up requests, not memory. */
const MAX_WRITE_BACKLOG = 1 << 20;
/** Until the server's SETTINGS say otherwise (RFC 9113 leaves it unlimited; servers use 100–250). */
const DEFAULT_MAX_STREAMS = 100;

class Stream {
  status = 0;
  headers: string[] | undefined;
  bodyParts: Buffer[] | undefined;
  bodyBytes = 0;
  /** Bytes received and not yet given back with a WINDOW_UPDATE. */
  unacked = 0;
  recvWindow = STREAM_WINDOW;
  sendWindow: number;
  /** Request body still to send (flow control held it back). */
  pendingBody: Buffer | undefined;
  /** In the session's list of streams waiting for window. */
  waitsForWindow = false;
  constructor(
    readonly id: number,
    readonly request: StreamRequest,
    sendWindow: number,
  ) {
    this.sendWindow = sendWindow;
    this.bodyParts = request.wantBody ? [] : undefined;
  }
}

export class Http2Session {
  private readonly socket: net.Socket;
  private readonly streams = new Map<number, Stream>();
  private readonly decoder = new HpackDecoder();
  private nextId = 1;
  /** Set once the server's first SETTINGS arrived: streams may start. */
  ready = false;
  /** Streams that ended with a response. */
  served = 0;
  private closed = false;
  /** GOAWAY received or stream ids used up: no new streams. */
  private draining = false;
  private maxStreams = DEFAULT_MAX_STREAMS;
  private peerFrameSize = MAX_FRAME_SIZE;
  private peerInitialWindow = DEFAULT_WINDOW;
  private connSendWindow = DEFAULT_WINDOW;
  private connRecvWindow = CONNECTION_WINDOW;
  private connUnacked = 0;
  /** Frames written this tick, sent together. */
  private out: Buffer[] = [];
  private outBytes = 0;
  private flushQueued = false;
  /** Acknowledgements written since the socket last had nothing waiting to be sent. */
  private pendingAcks = 0;
  /** Part of a frame left from the previous read. */
  private carry: Buffer | undefined;
  /** A header block spread over HEADERS and CONTINUATION frames. */
  private continuing: { streamId: number; parts: Buffer[]; bytes: number; frames: number; endStream: boolean } | undefined;
  /** Streams whose body waits for window. */
  private blocked: Stream[] = [];
  /** Called once when the session is ready or gone (the pool's warm-up waits on it). */
  onReady: (() => void) | undefined;
  /** Fails the session if connect, TLS and the server's first SETTINGS have not all come by then. */
  private setupTimer: NodeJS.Timeout | undefined;

  constructor(
    target: ConnectionTarget,
    readBuffer: Buffer,
    private readonly owner: SessionOwner,
    setupTimeoutMs: number,
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
          ALPNProtocols: ['h2'],
          onread, // supported by tls.connect at run time, missing from @types/node
        } as tls.ConnectionOptions)
      : net.connect({ host: target.host, port: target.port, onread });
    this.socket.setNoDelay(true);
    this.socket.once(target.tls ? 'secureConnect' : 'connect', () => {
      if (target.tls && (this.socket as tls.TLSSocket).alpnProtocol !== 'h2') {
        this.close('protocol_error'); // the server does not speak HTTP/2 over TLS
        return;
      }
      this.writePreface();
    });
    this.socket.on('error', (err) => this.close(outcomeOfError(err)));
    this.socket.on('close', () => this.close('connection_reset'));
    this.socket.on('drain', () => this.owner.onSlot(this));
    this.setupTimer = setTimeout(() => this.close('timeout'), setupTimeoutMs);
  }

  get active(): number {
    return this.streams.size;
  }

  /** Can a stream start now? */
  get canStart(): boolean {
    return (
      this.ready && !this.draining && !this.closed && this.streams.size < this.maxStreams && this.outBytes + this.socket.writableLength < MAX_WRITE_BACKLOG
    );
  }

  start(request: StreamRequest): void {
    const id = this.nextId;
    this.nextId += 2;
    if (this.nextId > MAX_STREAM_ID) this.draining = true;
    const stream = new Stream(id, request, this.peerInitialWindow);
    this.streams.set(id, stream);
    this.writeHeaders(id, request.block, request.body === undefined);
    if (request.body !== undefined) {
      stream.pendingBody = request.body;
      this.sendBody(stream);
    }
  }

  /** Times out the streams past their deadline; the session goes on. */
  expire(now: number): void {
    let expired = 0;
    for (const stream of this.streams.values()) {
      if (now < stream.request.deadline) continue;
      expired++;
      this.streams.delete(stream.id);
      this.writeFrame(Frame.RstStream, 0, stream.id, u32(CANCEL));
      stream.request.done(0, undefined, 'timeout');
    }
    if (expired === 0) return;
    if (this.draining && this.streams.size === 0) this.destroy();
    else this.owner.onSlot(this);
  }

  destroy(): void {
    this.close('connection_reset');
  }

  private writePreface(): void {
    const settings = Buffer.alloc(18);
    settings.writeUInt16BE(0x2, 0); // ENABLE_PUSH
    settings.writeUInt32BE(0, 2);
    settings.writeUInt16BE(0x4, 6); // INITIAL_WINDOW_SIZE
    settings.writeUInt32BE(STREAM_WINDOW, 8);
    settings.writeUInt16BE(0x6, 12); // MAX_HEADER_LIST_SIZE
    settings.writeUInt32BE(MAX_HEADER_BLOCK, 14);
    this.queue(PREFACE);
    this.writeFrame(Frame.Settings, 0, 0, settings);
    this.writeFrame(Frame.WindowUpdate, 0, 0, u32(CONNECTION_WINDOW - DEFAULT_WINDOW));
  }

  private writeHeaders(id: number, block: Buffer, endStream: boolean): void {
    if (block.length <= this.peerFrameSize) {
      this.writeFrame(Frame.Headers, END_HEADERS | (endStream ? END_STREAM : 0), id, block);
      return;
    }
    let at = 0;
    while (at < block.length) {
      const piece = block.subarray(at, at + this.peerFrameSize);
      const last = at + piece.length >= block.length;
      const type = at === 0 ? Frame.Headers : Frame.Continuation;
      this.writeFrame(type, (last ? END_HEADERS : 0) | (at === 0 && endStream ? END_STREAM : 0), id, piece);
      at += piece.length;
    }
  }

  /** Sends as much of the stream's body as the windows allow; the rest waits for a WINDOW_UPDATE. */
  private sendBody(stream: Stream): void {
    let body = stream.pendingBody!;
    while (body.length > 0) {
      const n = Math.min(body.length, this.peerFrameSize, stream.sendWindow, this.connSendWindow);
      if (n <= 0) break;
      stream.sendWindow -= n;
      this.connSendWindow -= n;
      this.writeFrame(Frame.Data, n === body.length ? END_STREAM : 0, stream.id, body.subarray(0, n));
      body = body.subarray(n);
    }
    if (body.length === 0) {
      // An empty body still ends the stream.
      if (stream.pendingBody!.length === 0) this.writeFrame(Frame.Data, END_STREAM, stream.id, Buffer.alloc(0));
      stream.pendingBody = undefined;
    } else {
      stream.pendingBody = body;
      if (!stream.waitsForWindow) {
        stream.waitsForWindow = true;
        this.blocked.push(stream);
      }
    }
  }

  private resumeBodies(): void {
    const waiting = this.blocked;
    this.blocked = [];
    for (const stream of waiting) {
      stream.waitsForWindow = false;
      if (this.streams.get(stream.id) === stream && stream.pendingBody) this.sendBody(stream);
    }
  }

  /** Writes an acknowledgement; false when too many wait unsent and the connection was failed over it. */
  private writeAck(type: Frame.Ping | Frame.Settings, payload: Buffer): boolean {
    if (this.socket.writableLength === 0) this.pendingAcks = 0; // all sent before: only those of this tick wait
    if (++this.pendingAcks > MAX_PENDING_ACKS) return this.fail();
    this.writeFrame(type, ACK, 0, payload);
    return true;
  }

  private writeFrame(type: Frame, flags: number, streamId: number, payload: Buffer): void {
    const head = Buffer.allocUnsafe(FRAME_HEADER);
    head[0] = payload.length >>> 16;
    head[1] = (payload.length >>> 8) & 0xff;
    head[2] = payload.length & 0xff;
    head[3] = type;
    head[4] = flags;
    head.writeUInt32BE(streamId, 5);
    this.queue(head);
    if (payload.length > 0) this.queue(payload);
  }

  private queue(bytes: Buffer): void {
    this.out.push(bytes);
    this.outBytes += bytes.length;
    if (!this.flushQueued) {
      this.flushQueued = true;
      process.nextTick(() => this.flush());
    }
  }

  private flush(): void {
    this.flushQueued = false;
    if (this.closed || this.outBytes === 0) return;
    const bytes = this.out.length === 1 ? this.out[0]! : Buffer.concat(this.out, this.outBytes);
    const heldBack = this.outBytes >= MAX_WRITE_BACKLOG;
    this.out = [];
    this.outBytes = 0;
    // Streams held back by this tick's bytes may start once the socket took them (else 'drain' says when).
    if (this.socket.write(bytes) && heldBack) this.owner.onSlot(this);
  }

  private onRead(buf: Buffer, n: number): void {
    if (this.closed) return;
    let b = buf;
    let end = n;
    if (this.carry) {
      b = Buffer.concat([this.carry, buf.subarray(0, n)]);
      end = b.length;
      this.carry = undefined;
    }
    let pos = 0;
    while (end - pos >= FRAME_HEADER) {
      const length = (b[pos]! << 16) | (b[pos + 1]! << 8) | b[pos + 2]!;
      if (length > MAX_FRAME_SIZE) return this.close('protocol_error');
      if (end - pos < FRAME_HEADER + length) break;
      const type = b[pos + 3]! as Frame; // or a type we do not know: ignored
      const flags = b[pos + 4]!;
      const streamId = b.readUInt32BE(pos + 5) & MAX_STREAM_ID;
      if (!this.onFrame(type, flags, streamId, b, pos + FRAME_HEADER, pos + FRAME_HEADER + length)) return;
      pos += FRAME_HEADER + length;
    }
    if (pos < end) this.carry = Buffer.from(b.subarray(pos, end));
  }

  /** Handles one frame; false when the connection was closed over it. */
  private onFrame(type: Frame, flags: number, streamId: number, b: Buffer, start: number, end: number): boolean {
    if (this.continuing && type !== Frame.Continuation) return this.fail();
    switch (type) {
      case Frame.Data:
        return this.onData(flags, streamId, b, start, end);
      case Frame.Headers: {
        if (streamId === 0) return this.fail();
        let from = start;
        let to = end;
        if (flags & PADDED) {
          if (from >= to) return this.fail();
          to -= b[from++]!;
        }
        if (flags & PRIORITY) from += 5;
        if (from > to) return this.fail();
        const fragment = b.subarray(from, to);
        if (flags & END_HEADERS) return this.onHeaderBlock(streamId, fragment, (flags & END_STREAM) !== 0);
        this.continuing = { streamId, parts: [Buffer.from(fragment)], bytes: fragment.length, frames: 0, endStream: (flags & END_STREAM) !== 0 };
        return true;
      }
      case Frame.Continuation: {
        const c = this.continuing;
        if (!c || c.streamId !== streamId) return this.fail();
        c.bytes += end - start;
        if (c.bytes > MAX_HEADER_BLOCK || ++c.frames > MAX_CONTINUATIONS) return this.fail();
        c.parts.push(Buffer.from(b.subarray(start, end)));
        if (!(flags & END_HEADERS)) return true;
        this.continuing = undefined;
        return this.onHeaderBlock(streamId, Buffer.concat(c.parts), c.endStream);
      }
      case Frame.RstStream: {
        if (end - start !== 4 || streamId === 0) return this.fail();
        const stream = this.streams.get(streamId);
        if (!stream) return true;
        this.streams.delete(streamId);
        const code = b.readUInt32BE(start);
        if (code === REFUSED_STREAM && stream.request.idempotent) this.refused([stream.request], true);
        else stream.request.done(0, undefined, 'connection_reset');
        this.owner.onSlot(this);
        return true;
      }
      case Frame.Settings:
        return this.onSettings(flags, streamId, b, start, end);
      case Frame.PushPromise:
        return this.fail(); // push is disabled in our SETTINGS
      case Frame.Ping:
        if (end - start !== 8 || streamId !== 0) return this.fail();
        return flags & ACK ? true : this.writeAck(Frame.Ping, Buffer.from(b.subarray(start, end)));
      case Frame.GoAway: {
        if (end - start < 8 || streamId !== 0) return this.fail();
        const last = b.readUInt32BE(start) & MAX_STREAM_ID;
        this.draining = true;
        // Streams above the last one the server will process were never seen.
        const unprocessed: StreamRequest[] = [];
        for (const [id, stream] of this.streams) {
          if (id <= last) continue;
          this.streams.delete(id);
          unprocessed.push(stream.request);
        }
        // A GOAWAY after responses is a server rotating its connections (nginx: every 1,000 requests), and
        // the next session may rotate too; one that answered nothing is a server refusing: that counts.
        if (unprocessed.length) this.refused(unprocessed, this.served === 0);
        if (this.streams.size === 0) this.destroy();
        return !this.closed;
      }
      case Frame.WindowUpdate: {
        if (end - start !== 4) return this.fail();
        const increment = b.readUInt32BE(start) & MAX_WINDOW;
        if (streamId === 0) {
          if (increment === 0 || this.connSendWindow + increment > MAX_WINDOW) return this.fail();
          this.connSendWindow += increment;
          if (this.blocked.length) this.resumeBodies();
          return true;
        }
        // One stream's window: only that stream may go on (not every stream waiting, once per frame).
        const stream = this.streams.get(streamId);
        if (!stream) return true;
        stream.sendWindow += increment;
        if (stream.pendingBody) this.sendBody(stream);
        return true;
      }
      case Frame.Priority:
        return true;
      default:
        return true; // frame types we do not know are ignored (RFC 9113 §4.1)
    }
  }

  /**
   * Requests the server did not process (RFC 9113 §8.7) go out again, on any session, as a stale
   * keep-alive's would. A refusal that `counts` is allowed once per request; at the second the request fails,
   * so a server that refuses everything costs two streams a request.
   */
  private refused(requests: StreamRequest[], counts: boolean): void {
    const again: StreamRequest[] = [];
    for (const request of requests) {
      if (counts && request.resent) request.done(0, undefined, 'connection_reset');
      else {
        if (counts) request.resent = true;
        again.push(request);
      }
    }
    if (again.length) this.owner.onRefused(this, again);
  }

  private onData(flags: number, streamId: number, b: Buffer, start: number, end: number): boolean {
    if (streamId === 0) return this.fail();
    const length = end - start;
    this.connRecvWindow -= length;
    if (this.connRecvWindow < 0) return this.fail();
    this.connUnacked += length;
    if (this.connUnacked >= CONNECTION_WINDOW / 2) {
      this.writeFrame(Frame.WindowUpdate, 0, 0, u32(this.connUnacked));
      this.connRecvWindow += this.connUnacked;
      this.connUnacked = 0;
    }
    const stream = this.streams.get(streamId);
    if (!stream) return true; // a stream we cancelled
    if (stream.status === 0) return this.resetStream(stream, 'protocol_error'); // data before the response head
    stream.recvWindow -= length;
    if (stream.recvWindow < 0) return this.resetStream(stream, 'protocol_error');
    let from = start;
    let to = end;
    if (flags & PADDED) {
      if (length === 0) return this.resetStream(stream, 'protocol_error');
      to -= b[from++]!;
      if (to < from) return this.resetStream(stream, 'protocol_error');
    }
    if (stream.bodyParts && stream.bodyBytes < MAX_BODY_BYTES && to > from) {
      const take = Math.min(to, from + (MAX_BODY_BYTES - stream.bodyBytes));
      stream.bodyParts.push(Buffer.from(b.subarray(from, take)));
      stream.bodyBytes += take - from;
    }
    if (flags & END_STREAM) return this.complete(stream);
    stream.unacked += length;
    if (stream.unacked >= STREAM_WINDOW / 2) {
      this.writeFrame(Frame.WindowUpdate, 0, stream.id, u32(stream.unacked));
      stream.recvWindow += stream.unacked;
      stream.unacked = 0;
    }
    return true;
  }

  private onHeaderBlock(streamId: number, block: Buffer, endStream: boolean): boolean {
    const stream = this.streams.get(streamId);
    if (!stream && streamId >= this.nextId) return this.fail(); // a stream we never opened
    let status = 0;
    const want = stream?.request.wantHeaders;
    const fields: string[] | undefined = want && stream.status === 0 ? [] : undefined;
    // The decoded size, as SETTINGS_MAX_HEADER_LIST_SIZE counts it: one-octet references to a 4 KiB table
    // entry would otherwise make a 64 KiB block a 256 MiB header list.
    let listSize = 0;
    try {
      // Decoded even for a cancelled stream: the server's table changes with every block.
      this.decoder.decode(block, 0, block.length, (name, value) => {
        listSize += name.length + value.length + 32;
        if (name === ':status') status = Number(value);
        else if (fields && listSize <= MAX_HEADER_BLOCK && want!.includes(name)) fields.push(name, value);
      });
    } catch {
      return this.fail();
    }
    if (!stream) return true;
    if (listSize > MAX_HEADER_BLOCK) return this.resetStream(stream, 'protocol_error');
    if (stream.status === 0) {
      if (!(status >= 100 && status <= 599)) return this.resetStream(stream, 'protocol_error');
      if (status < 200) return endStream ? this.resetStream(stream, 'protocol_error') : true; // interim (1xx)
      stream.status = status;
      stream.headers = fields;
    } else if (!endStream) return this.resetStream(stream, 'protocol_error'); // trailers must end the stream
    return endStream ? this.complete(stream) : true;
  }

  private complete(stream: Stream): boolean {
    this.streams.delete(stream.id);
    this.served++;
    const parts = stream.bodyParts;
    const body = parts ? (parts.length === 1 ? parts[0] : Buffer.concat(parts)) : undefined;
    stream.request.done(stream.status, body, undefined, stream.headers);
    if (this.draining && this.streams.size === 0) this.destroy();
    else this.owner.onSlot(this);
    return !this.closed;
  }

  private resetStream(stream: Stream, outcome: Outcome): boolean {
    this.streams.delete(stream.id);
    this.writeFrame(Frame.RstStream, 0, stream.id, u32(0x1)); // PROTOCOL_ERROR
    stream.request.done(0, undefined, outcome);
    this.owner.onSlot(this);
    return !this.closed;
  }

  private onSettings(flags: number, streamId: number, b: Buffer, start: number, end: number): boolean {
    if (streamId !== 0) return this.fail();
    if (flags & ACK) return true;
    if ((end - start) % 6 !== 0) return this.fail();
    let initialWindow = this.peerInitialWindow;
    for (let at = start; at < end; at += 6) {
      const id = b.readUInt16BE(at);
      const value = b.readUInt32BE(at + 2);
      if (id === 0x3) this.maxStreams = value;
      else if (id === 0x4) {
        if (value > MAX_WINDOW) return this.fail();
        initialWindow = value;
      } else if (id === 0x5) {
        if (value < MAX_FRAME_SIZE || value > 0xffffff) return this.fail();
        this.peerFrameSize = value;
      }
    }
    // Applied once per frame, whatever number of times the frame repeats the setting.
    if (initialWindow !== this.peerInitialWindow) {
      const delta = initialWindow - this.peerInitialWindow;
      this.peerInitialWindow = initialWindow;
      for (const stream of this.streams.values()) stream.sendWindow += delta;
    }
    if (!this.writeAck(Frame.Settings, Buffer.alloc(0))) return false;
    if (this.blocked.length) this.resumeBodies();
    if (!this.ready) {
      clearTimeout(this.setupTimer);
      this.ready = true;
      this.onReady?.();
      this.onReady = undefined;
    }
    this.owner.onSlot(this);
    return true;
  }

  /** The server broke the protocol: the connection ends, its streams fail as protocol errors. */
  private fail(): boolean {
    this.close('protocol_error');
    return false;
  }

  private close(outcome: Outcome): void {
    if (this.closed) return;
    const wasReady = this.ready;
    this.closed = true;
    clearTimeout(this.setupTimer);
    this.ready = false;
    this.socket.destroy();
    const failed = [...this.streams.values()];
    this.streams.clear();
    this.blocked = [];
    this.onReady?.();
    this.onReady = undefined;
    for (const stream of failed) stream.request.done(0, undefined, outcome);
    this.owner.onClosed(this, outcome, wasReady);
  }
}

function u32(value: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32BE(value >>> 0, 0);
  return b;
}
