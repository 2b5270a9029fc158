/**
 * The HTTP/1.1 response parser of the load generator's hot path: parses in place from the read buffer,
 * copies the body only when a check needs it, and bounds everything a hostile server could make it hold
 * (status line, head, chunk-size lines, trailers, interim 1xx heads, kept body). Pure: bytes in, a
 * response or a protocol error out — the connection owns the socket.
 *
 * Per RFC 9112: a bare CR in a head line is rejected; a line ending in LF alone is accepted (§2.2).
 */

/** What was wrong with a response the parser refused: each is the outcome `protocol_error`. */
export type ProtocolViolation =
  | 'not an HTTP/1.x status line'
  | 'head over 64 KiB'
  | 'bare CR in the head'
  | 'bad Content-Length'
  | 'conflicting Content-Length'
  | 'bad chunk size'
  | 'chunk-size line over 4 KiB'
  | 'trailers over 64 KiB'
  | 'more than 8 interim (1xx) heads'
  | 'a body where none is allowed';

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

const MAX_HEAD_BYTES = 64 * 1024;
/** The first buffer for a head split across reads; it doubles up to MAX_HEAD_BYTES. */
const MIN_CARRY_BYTES = 1024;
const MAX_CHUNK_LINE_BYTES = 4 * 1024;
const MAX_INTERIM_HEADS = 8;
/** The body a check may read: beyond this it is counted, not kept. */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;
const STATUS_PREFIX = 'HTTP/1.';

export class Http1ResponseParser {
  /** Set once a whole response was parsed. */
  complete = false;
  /** Set when the response was refused. */
  violation: ProtocolViolation | undefined;
  status = 0;
  /** The server will close after this response (or did not say how long the body is). */
  closeAfter = false;
  /** Bytes of the response seen so far (any at all means the server answered). */
  receivedAny = false;
  /** The final head's header fields as [name, value, …] (names lower case), when asked for. */
  headers: string[] | undefined;
  private wantHeaders: readonly string[] | undefined;

  private wantBody = false;
  private isHead = false;
  private inHead = true;
  /** An incomplete head carried across reads: `carried` bytes, scanned up to `carryScanned`, its last line from `carryLine`. */
  private carry: Buffer | undefined;
  private carried = 0;
  private carryScanned = 0;
  private carryLine = 0;
  private interimHeads = 0;
  private bodyMode: Body = Body.None;
  private remaining = 0;
  private chunkState: Chunk = Chunk.Size;
  private lineCarry = '';
  private trailerBytes = 0;
  private bodyParts: Buffer[] | undefined;
  private bodyBytes = 0;

  /** Starts parsing the response to a new request. */
  reset(wantBody: boolean, isHead: boolean, wantHeaders?: readonly string[]): void {
    this.wantHeaders = wantHeaders;
    this.headers = undefined;
    this.complete = false;
    this.violation = undefined;
    this.status = 0;
    this.closeAfter = false;
    this.receivedAny = false;
    this.wantBody = wantBody;
    this.isHead = isHead;
    this.inHead = true;
    this.carry = undefined;
    this.interimHeads = 0;
    this.bodyMode = Body.None;
    this.bodyParts = undefined;
    this.bodyBytes = 0;
    this.trailerBytes = 0;
    this.lineCarry = '';
  }

  /** The body kept for a check (up to MAX_BODY_BYTES). */
  body(): Buffer | undefined {
    if (!this.bodyParts) return undefined;
    return this.bodyParts.length === 1 ? this.bodyParts[0] : Buffer.concat(this.bodyParts);
  }

  /** The response's body runs until the server closes: a close now completes it. */
  get endsAtClose(): boolean {
    return !this.inHead && this.bodyMode === Body.UntilClose;
  }

  /**
   * Parses `buf[start, end)`. Returns the position after what belongs to this response: when `complete`,
   * bytes after it are not this response's; -1 when the response was refused (see `violation`).
   */
  feed(buf: Buffer, start: number, end: number): number {
    if (end > start) this.receivedAny = true;
    let pos = start;
    while (pos < end && !this.complete) {
      pos = this.inHead ? this.parseHead(buf, pos, end) : this.parseBody(buf, pos, end);
      if (pos < 0) return -1;
    }
    return pos;
  }

  private refuse(v: ProtocolViolation): number {
    this.violation = v;
    return -1;
  }

  private parseHead(buf: Buffer, start: number, end: number): number {
    if (this.carry) return this.continueHead(buf, start, end);
    // Garbage instead of a status line fails at once, not after the request's timeout.
    if (!startsLikeStatusLine(buf, start, end)) return this.refuse('not an HTTP/1.x status line');
    const headEnd = findHeadEnd(buf, start, end);
    if (headEnd === -1) {
      if (end - start > MAX_HEAD_BYTES) return this.refuse('head over 64 KiB');
      this.carry = Buffer.allocUnsafe(Math.min(MAX_HEAD_BYTES, Math.max(MIN_CARRY_BYTES, 2 * (end - start))));
      buf.copy(this.carry, 0, start, end);
      this.carried = end - start;
      this.carryLine = 0;
      this.carryScanned = 0;
      return end;
    }
    if (headEnd - start > MAX_HEAD_BYTES) return this.refuse('head over 64 KiB');
    return this.readHead(buf, start, headEnd);
  }

  /**
   * A head split across reads: the new bytes are appended to the carried ones and only they are scanned, so a
   * head arriving a byte at a time costs time linear in its length (re-scanning it all on every read cost 5.6 s
   * of CPU for 64 KiB).
   */
  private continueHead(buf: Buffer, start: number, end: number): number {
    const before = this.carried;
    const take = Math.min(end - start, MAX_HEAD_BYTES - before);
    if (before + take > this.carry!.length) {
      const grown = Buffer.allocUnsafe(Math.min(MAX_HEAD_BYTES, 2 * (before + take)));
      this.carry!.copy(grown, 0, 0, before);
      this.carry = grown;
    }
    const carry = this.carry!;
    buf.copy(carry, before, start, start + take);
    this.carried = before + take;
    if (before < 12 && !startsLikeStatusLine(carry, 0, this.carried)) return this.refuse('not an HTTP/1.x status line');
    const headEnd = this.scanCarry();
    if (headEnd === -1) return take < end - start ? this.refuse('head over 64 KiB') : end;
    this.carry = undefined;
    // The carried bytes held no head end: it is among this read's bytes, and the read goes on after it.
    return this.readHead(carry, 0, start + headEnd - before);
  }

  /** Looks for the head's empty line in the carried bytes not yet scanned: the offset after it, or -1. */
  private scanCarry(): number {
    const b = this.carry!;
    const to = this.carried;
    let line = this.carryLine;
    for (let i = this.carryScanned; i < to; i++) {
      if (b[i] !== 10) continue;
      const contentEnd = i > line && b[i - 1] === 13 ? i - 1 : i;
      if (contentEnd === line && line !== 0) return i + 1;
      line = i + 1;
    }
    this.carryLine = line;
    this.carryScanned = to;
    return -1;
  }

  /** Reads the complete head starting at b[from]; returns `next` (where the read goes on), or -1 when it is refused. */
  private readHead(b: Buffer, from: number, next: number): number {
    const status = (b[from + 9]! - 48) * 100 + (b[from + 10]! - 48) * 10 + (b[from + 11]! - 48);
    if (!(status >= 100 && status <= 599) || !isLineEndOrSpace(b[from + 12])) return this.refuse('not an HTTP/1.x status line');
    const http10 = b[from + 7] === 0x30;
    let contentLength = -1;
    let chunked = false;
    let transferEncoding = false;
    let close = http10;
    let line = from;
    // The next CR at or after `line`: looked for again only once passed, so lines ending in LF alone cost no re-scan.
    let cr = -1;
    const fields: string[] | undefined = this.wantHeaders ? [] : undefined;
    for (;;) {
      const nl = b.indexOf(10, line);
      const eol = nl > line && b[nl - 1] === 13 ? nl - 1 : nl;
      if (cr < line) {
        cr = b.indexOf(13, line);
        if (cr === -1) cr = b.length;
      }
      if (cr < eol) return this.refuse('bare CR in the head');
      if (eol === line) break; // the empty line: end of the head
      if (line !== from) {
        if (fields) {
          for (const name of this.wantHeaders!) {
            if (b[line + name.length] === 58 && matches(b, line, eol, name)) {
              fields.push(name, b.toString('latin1', line + name.length + 1, eol).trim());
              break;
            }
          }
        }
        const first = b[line]! | 0x20;
        if (first === 0x63 /* c */) {
          if (matches(b, line, eol, 'content-length:')) {
            const value = parseDecimal(b, line + 15, eol);
            if (value < 0) return this.refuse('bad Content-Length');
            // Two lengths: which one a client believes decides where the next response starts (RFC 9112 §6.3).
            if (contentLength >= 0 && value !== contentLength) return this.refuse('conflicting Content-Length');
            contentLength = value;
          } else if (matches(b, line, eol, 'connection:')) {
            close = includesToken(b, line + 11, eol, 'close') || (http10 && !includesToken(b, line + 11, eol, 'keep-alive'));
          }
        } else if (first === 0x74 /* t */ && matches(b, line, eol, 'transfer-encoding:')) {
          transferEncoding = true;
          chunked = endsWithChunked(b, line + 18, eol);
        }
      }
      line = nl + 1;
    }
    if (status < 200) {
      // 1xx (100 Continue, 103 Early Hints): an interim head, the real one follows.
      if (++this.interimHeads > MAX_INTERIM_HEADS) return this.refuse('more than 8 interim (1xx) heads');
      return next;
    }
    this.status = status;
    this.headers = fields;
    this.closeAfter = close;
    this.inHead = false;
    this.bodyParts = this.wantBody ? [] : undefined;
    if (this.isHead || status === 204 || status === 304) this.bodyMode = Body.None;
    else if (chunked) {
      this.bodyMode = Body.Chunked;
      this.chunkState = Chunk.Size;
      this.lineCarry = '';
    } else if (contentLength >= 0 && !transferEncoding) {
      // Another final coding than chunked overrides any length: the body runs until the close (RFC 9112 §6.3).
      this.bodyMode = Body.Length;
      this.remaining = contentLength;
    } else {
      this.bodyMode = Body.UntilClose;
      this.closeAfter = true;
    }
    if (this.bodyMode === Body.None || (this.bodyMode === Body.Length && this.remaining === 0)) this.complete = true;
    return next;
  }

  private parseBody(buf: Buffer, start: number, end: number): number {
    switch (this.bodyMode) {
      case Body.Length: {
        const take = Math.min(this.remaining, end - start);
        this.keep(buf, start, start + take);
        this.remaining -= take;
        if (this.remaining === 0) this.complete = true;
        return start + take;
      }
      case Body.UntilClose:
        this.keep(buf, start, end);
        return end;
      case Body.Chunked:
        return this.parseChunked(buf, start, end);
      case Body.None:
        return this.refuse('a body where none is allowed');
    }
  }

  private parseChunked(buf: Buffer, start: number, end: number): number {
    let pos = start;
    while (pos < end && !this.complete) {
      switch (this.chunkState) {
        case Chunk.Size: {
          const line = this.takeLine(buf, pos, end, MAX_CHUNK_LINE_BYTES);
          if (line === undefined) return this.violation ? -1 : end;
          pos = line.next;
          const size = parseChunkSize(line.text);
          if (size < 0) return this.refuse('bad chunk size');
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
          const before = this.lineCarry.length;
          const line = this.takeLine(buf, pos, end, MAX_HEAD_BYTES - this.trailerBytes);
          if (line === undefined) {
            if (this.violation) this.violation = 'trailers over 64 KiB';
            return this.violation ? -1 : end;
          }
          this.trailerBytes += line.next - pos + before;
          pos = line.next;
          if (line.text === '') this.complete = true;
          break;
        }
      }
    }
    return pos;
  }

  /**
   * The next LF-terminated line (without its CR LF), carrying a partial line across reads; undefined when
   * the line is not complete yet, or when it would exceed `limit` (then `violation` is set).
   */
  private takeLine(buf: Buffer, pos: number, end: number, limit: number): { text: string; next: number } | undefined {
    const nl = buf.indexOf(10, pos);
    if (nl === -1 || nl >= end) {
      if (this.lineCarry.length + (end - pos) > limit) this.violation = 'chunk-size line over 4 KiB';
      else this.lineCarry += buf.toString('latin1', pos, end);
      return undefined;
    }
    if (this.lineCarry.length + (nl - pos) > limit) {
      this.violation = 'chunk-size line over 4 KiB';
      return undefined;
    }
    let text = this.lineCarry + buf.toString('latin1', pos, nl);
    this.lineCarry = '';
    if (text.endsWith('\r')) text = text.slice(0, -1);
    return { text, next: nl + 1 };
  }

  private keep(buf: Buffer, from: number, to: number): void {
    if (!this.bodyParts || to <= from || this.bodyBytes >= MAX_BODY_BYTES) return;
    const take = Math.min(to, from + (MAX_BODY_BYTES - this.bodyBytes));
    this.bodyParts.push(Buffer.from(buf.subarray(from, take)));
    this.bodyBytes += take - from;
  }
}

/** Whether the bytes so far can begin `HTTP/1.x SSS`: garbage is refused on the first byte that shows it. */
function startsLikeStatusLine(b: Buffer, from: number, to: number): boolean {
  const n = Math.min(to - from, 12);
  for (let i = 0; i < n; i++) {
    const c = b[from + i]!;
    if (i < STATUS_PREFIX.length) {
      if (c !== STATUS_PREFIX.charCodeAt(i)) return false;
    } else if (i === 8) {
      if (c !== 0x20) return false;
    } else if (c < 48 || c > 57) return false; // the minor version (7) and the status digits (9–11)
  }
  return true;
}

function isLineEndOrSpace(c: number | undefined): boolean {
  return c === 0x20 || c === 13 || c === 10;
}

/** The offset just after the head's empty line, or -1 when the head is not complete in `b[from, to)`. */
function findHeadEnd(b: Buffer, from: number, to: number): number {
  let line = from;
  for (;;) {
    const nl = b.indexOf(10, line);
    if (nl === -1 || nl >= to) return -1;
    const contentEnd = nl > line && b[nl - 1] === 13 ? nl - 1 : nl;
    if (contentEnd === line && line !== from) return nl + 1;
    line = nl + 1;
  }
}

function matches(b: Buffer, start: number, end: number, lowerName: string): boolean {
  if (end - start < lowerName.length) return false;
  for (let i = 0; i < lowerName.length; i++) {
    if ((b[start + i]! | 0x20) !== lowerName.charCodeAt(i)) return false;
  }
  return true;
}

/** A header's decimal value (optional whitespace around it); -1 when it is not one. */
function parseDecimal(b: Buffer, start: number, end: number): number {
  let value = 0;
  let digits = 0;
  let i = start;
  while (i < end && (b[i] === 32 || b[i] === 9)) i++;
  for (; i < end; i++) {
    const c = b[i]!;
    if (c < 48 || c > 57) break;
    value = value * 10 + (c - 48);
    digits++;
  }
  while (i < end && (b[i] === 32 || b[i] === 9)) i++;
  return digits > 0 && digits <= 15 && i === end ? value : -1;
}

/** `1a` or `1a;ext=1`: hex digits, then optional extensions; -1 when malformed. */
function parseChunkSize(text: string): number {
  const m = /^[ \t]*([0-9a-fA-F]{1,12})[ \t]*(?:;.*)?$/.exec(text);
  return m ? parseInt(m[1]!, 16) : -1;
}

/**
 * Whether the last coding of a Transfer-Encoding value b[start, end) is exactly `chunked`, in any case: only then is
 * the body chunked (RFC 9112 §6.3); `xchunked` or `chunked, gzip` are not.
 */
function endsWithChunked(b: Buffer, start: number, end: number): boolean {
  let last = end;
  while (last > start && (b[last - 1] === 32 || b[last - 1] === 9)) last--;
  const first = last - 7;
  if (first < start || !matches(b, first, last, 'chunked')) return false;
  let before = first;
  while (before > start && (b[before - 1] === 32 || b[before - 1] === 9)) before--;
  return before === start || b[before - 1] === 0x2c /* , */;
}

/** Whether `token` (lower case) occurs in b[start, end), ignoring case: no string made per response. */
function includesToken(b: Buffer, start: number, end: number, token: string): boolean {
  const first = token.charCodeAt(0);
  const last = end - token.length;
  outer: for (let i = start; i <= last; i++) {
    if ((b[i]! | 0x20) !== first) continue;
    for (let k = 1; k < token.length; k++) if ((b[i + k]! | 0x20) !== token.charCodeAt(k)) continue outer;
    return true;
  }
  return false;
}
