/** What the load worker needs from an HTTP client: the HTTP/1.1 pool and the HTTP/2 sessions both fit. */
import type { Outcome } from '../../model/outcome.js';
import { encodeHeaderBlock } from './hpack.js';

export interface Outgoing {
  method: string;
  path: string;
  /** Header names in lower case. */
  headers: Record<string, string>;
  body: Buffer | undefined;
  /** The request as HTTP/1.1 bytes, when already encoded (constant requests are encoded once). */
  http1Bytes: Buffer | undefined;
  /** The request's HTTP/2 header block, when already encoded (constant requests, when the target speaks HTTP/2). */
  http2Block?: Buffer | undefined;
  /** Set when a templated value would break the request (a CR or LF would start a second, smuggled request): never sent. */
  invalid?: string;
}

/** Response headers as flat [name, value, name, value, …], names in lower case (asked for by journeys only). */
export type ResponseHeaders = string[];

export type Done = (status: number, body: Buffer | undefined, failure: Outcome | undefined, headers?: ResponseHeaders) => void;

/** What the caller wants kept of a response: its body (for a check or an extraction), the header fields of these names (lower case). */
export interface Wants {
  body: boolean;
  headers: readonly string[] | undefined;
}

export interface Transport {
  warmUp(): Promise<void>;
  send(request: Outgoing, wants: Wants, deadline: number, done: Done): void;
  /** Fails every request past its deadline. */
  expire(now: number): void;
  close(): void;
  /** Requests re-sent once after a stale keep-alive close. */
  readonly retries: number;
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'TRACE']);

export function isIdempotent(method: string): boolean {
  return IDEMPOTENT.has(method);
}

/** Encodes a request as HTTP/1.1 bytes. The Host header comes first, as most servers expect. */
export function encodeHttp1(request: Omit<Outgoing, 'http1Bytes'>, host: string): Buffer {
  let head = `${request.method} ${request.path} HTTP/1.1\r\nhost: ${request.headers['host'] ?? host}\r\n`;
  for (const name in request.headers) {
    if (name !== 'host') head += `${name}: ${request.headers[name]}\r\n`;
  }
  if (request.body) head += `content-length: ${request.body.length}\r\n`;
  else if (request.method === 'POST' || request.method === 'PUT' || request.method === 'PATCH') head += 'content-length: 0\r\n';
  head += '\r\n';
  return request.body ? Buffer.concat([Buffer.from(head, 'latin1'), request.body]) : Buffer.from(head, 'latin1');
}

/** Headers that belong to one HTTP/1.1 connection and are not allowed in HTTP/2 (RFC 9113 §8.2.2). */
const CONNECTION_SPECIFIC = new Set(['host', 'connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade']);

/** Encodes a request's HTTP/2 header block: pseudo-headers first, the Host header as :authority. */
export function encodeHttp2Block(request: Omit<Outgoing, 'http1Bytes' | 'http2Block'>, scheme: string, authority: string): Buffer {
  const fields: [string, string][] = [
    [':method', request.method],
    [':scheme', scheme],
    [':authority', request.headers['host'] ?? authority],
    [':path', request.path],
  ];
  for (const name in request.headers) {
    if (CONNECTION_SPECIFIC.has(name) || (name === 'te' && request.headers[name] !== 'trailers')) continue;
    fields.push([name, request.headers[name]!]);
  }
  if (request.body) fields.push(['content-length', String(request.body.length)]);
  return encodeHeaderBlock(fields);
}
