/**
 * HTTP/2 with node:http2: `connections` sessions, requests spread over them round-robin as streams.
 * Slower per request than the HTTP/1.1 parser, but h2 targets multiplex and need far fewer connections.
 */
import http2 from 'node:http2';
import type { Outcome } from '../../model/outcome.js';
import { outcomeOfError } from './error-outcome.js';
import { MAX_BODY_BYTES } from './http1-parser.js';
import type { Done, Outgoing, Transport, Wants } from './transport.js';

interface InFlight {
  stream: http2.ClientHttp2Stream;
  deadline: number;
  finish: (status: number, failure: Outcome | undefined) => void;
}

export function createHttp2Transport(url: URL, connections: number, insecure: boolean): Transport {
  const sessions = Array.from({ length: Math.max(1, connections) }, (): http2.ClientHttp2Session | undefined => undefined);
  const inFlight = new Set<InFlight>();
  let next = 0;

  function session(i: number): http2.ClientHttp2Session {
    const existing = sessions[i];
    if (existing && !existing.closed && !existing.destroyed) return existing;
    const s = http2.connect(url.origin, { rejectUnauthorized: !insecure });
    s.on('error', () => {
      /* each stream reports its own failure */
    });
    s.on('close', () => {
      if (sessions[i] === s) sessions[i] = undefined;
    });
    sessions[i] = s;
    return s;
  }

  return {
    warmUp() {
      return Promise.all(
        sessions.map(
          (_, i) =>
            new Promise<void>((resolve) => {
              const s = session(i);
              s.once('connect', () => resolve());
              s.once('error', () => resolve());
            }),
        ),
      ).then(() => undefined);
    },
    send(request: Outgoing, wants: Wants, deadline: number, done: Done) {
      const s = session(next);
      next = (next + 1) % sessions.length;
      const headers: http2.OutgoingHttpHeaders = { ':method': request.method, ':path': request.path };
      for (const name in request.headers) if (name !== 'host' && name !== 'connection') headers[name] = request.headers[name];
      let stream: http2.ClientHttp2Stream;
      try {
        stream = s.request(headers, { endStream: !request.body });
      } catch (err) {
        done(0, undefined, outcomeOfError(err));
        return;
      }
      let status = 0;
      const parts: Buffer[] | undefined = wants.body ? [] : undefined;
      let fields: string[] | undefined;
      let kept = 0;
      let settled = false;
      const entry: InFlight = {
        stream,
        deadline,
        finish(st, failure) {
          if (settled) return;
          settled = true;
          inFlight.delete(entry);
          done(st, parts ? Buffer.concat(parts) : undefined, failure, fields);
        },
      };
      inFlight.add(entry);
      stream.on('response', (h) => {
        status = Number(h[':status']);
        if (wants.headers) {
          fields = [];
          for (const name of wants.headers) {
            const value = h[name];
            for (const v of Array.isArray(value) ? value : [value]) if (v !== undefined) fields.push(name, String(v));
          }
        }
      });
      stream.on('data', (chunk: Buffer) => {
        // A check reads at most what HTTP/1.1 keeps: a huge body is counted, never held.
        if (!parts || kept >= MAX_BODY_BYTES) return;
        const piece = chunk.length > MAX_BODY_BYTES - kept ? chunk.subarray(0, MAX_BODY_BYTES - kept) : chunk;
        parts.push(piece);
        kept += piece.length;
      });
      stream.on('end', () => entry.finish(status, status ? undefined : 'connection_reset'));
      stream.on('error', (err) => entry.finish(0, outcomeOfError(err)));
      stream.on('close', () => entry.finish(status, status ? undefined : 'connection_reset'));
      if (request.body) stream.end(request.body);
    },
    expire(now) {
      for (const entry of inFlight) {
        if (now >= entry.deadline) {
          entry.finish(0, 'timeout');
          entry.stream.close(http2.constants.NGHTTP2_CANCEL);
        }
      }
    },
    close() {
      for (const s of sessions) s?.destroy();
    },
    retries: 0,
  };
}
