/**
 * A real HTTP server on 127.0.0.1 for tests, with switchable faults that give ground truth: it counts every
 * request it receives, and can freeze, refuse, reset, or answer errors on demand.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type Behaviour = (req: http.IncomingMessage, res: http.ServerResponse, n: number) => void;

export interface TestServer {
  url: string;
  port: number;
  /** Requests received so far. */
  readonly received: number;
  /** Replaces how requests are answered. */
  behave(b: Behaviour): void;
  /** Holds every response until `ms` from now; requests keep arriving and are answered afterwards. */
  freeze(ms: number): void;
  /** Stops listening and drops every connection: new connections are refused until `ms` from now. */
  refuseFor(ms: number): Promise<void>;
  /** Destroys every open connection (as a restart would). */
  dropConnections(): void;
  close(): Promise<void>;
}

export const answerOk: Behaviour = (_req, res) => {
  res.setHeader('content-type', 'application/json');
  res.end('{"ok":true}');
};

export async function startTestServer(initial: Behaviour = answerOk): Promise<TestServer> {
  let behaviour = initial;
  let received = 0;
  let frozenUntil = 0;
  const sockets = new Set<Socket>();
  const server = http.createServer({ keepAliveTimeout: 30_000 }, (req, res) => {
    const n = received++;
    const answer = (): void => {
      req.resume();
      behaviour(req, res, n);
    };
    const wait = frozenUntil - Date.now();
    if (wait > 0) setTimeout(answer, wait);
    else answer();
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  const dropConnections = (): void => {
    for (const s of sockets) s.destroy();
  };

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    get received() {
      return received;
    },
    behave(b) {
      behaviour = b;
    },
    freeze(ms) {
      frozenUntil = Date.now() + ms;
    },
    async refuseFor(ms) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      dropConnections();
      await closed;
      setTimeout(() => server.listen(port, '127.0.0.1'), ms);
    },
    dropConnections,
    close: () =>
      new Promise<void>((resolve) => {
        dropConnections();
        server.close(() => resolve());
      }),
  };
}
