import { isIP } from 'node:net';
import { Http1Pool } from './http1-pool.js';
import { encodeHttp1, isIdempotent, type Done, type Outgoing, type Transport, type Wants } from './transport.js';

/** `connectTimeoutMs`: how long a connection opened before the load may take to connect (the plan's longest timeout). */
export function createHttp1Transport(url: URL, connections: number, insecure: boolean, connectTimeoutMs: number): Transport {
  const isTls = url.protocol === 'https:';
  const host = url.host;
  const hostname = url.hostname.replace(/^\[|\]$/g, '');
  const pool = new Http1Pool(
    {
      host: hostname,
      port: Number(url.port || (isTls ? 443 : 80)),
      // SNI carries host names only (RFC 6066): an IP address is not sent, as browsers do.
      tls: isTls ? { servername: isIP(hostname) ? undefined : hostname, rejectUnauthorized: !insecure } : undefined,
    },
    connections,
    Buffer.allocUnsafe(64 * 1024), // one read buffer for every socket of this thread: parsing is synchronous
    connectTimeoutMs,
  );
  return {
    warmUp: () => pool.warmUp(),
    send(request: Outgoing, wants: Wants, deadline: number, done: Done) {
      pool.send({
        bytes: request.http1Bytes ?? encodeHttp1(request, host),
        wantBody: wants.body,
        wantHeaders: wants.headers,
        isHead: request.method === 'HEAD',
        idempotent: isIdempotent(request.method),
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
