/**
 * The local platform's ingress (`platform.service: { kind: 'ingress' }`): an HTTP proxy that balances each
 * request round-robin over the ready replicas, as an nginx ingress does, and — like nginx's
 * `proxy_next_upstream error timeout` — retries an idempotent request without a body once on the next
 * replica when the connection to the first fails before any response. Retries are counted: through an
 * ingress the same rollout shows fewer errors, and a user must see which path was tested.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Upstream {
  id: string;
  port: number;
}

/** What both local Services offer the platform: a port, the replicas in rotation, and a close. */
export interface LocalService {
  listen(port: number): Promise<number>;
  /** Resolves once new connections (or requests) go by it. */
  setUpstreams(upstreams: Upstream[]): Promise<void>;
  close(): Promise<void>;
  /** Requests retried on another replica so far (ingress only). */
  readonly retried: number;
  /** Replicas whose machine is lost (a zone outage): a Service's connections to them go silent. */
  lose?(ids: string[]): Promise<void>;
  /** The thread that proxies (its Linux thread id, for its CPU), and what to call it. */
  readonly cpuThreadId: number | null;
  readonly cpuThreadLabel: string;
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);

export class IngressProxy implements LocalService {
  private readonly server: http.Server;
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 512, maxFreeSockets: 512 });
  private upstreams: Upstream[] = [];
  private next = 0;
  retried = 0;
  /** The ingress runs on golive's main thread, whose id is the process id. */
  readonly cpuThreadId = process.pid;
  readonly cpuThreadLabel = "golive's main thread (which runs the ingress)";

  constructor(private readonly retries: number) {
    this.server = http.createServer({ keepAliveTimeout: 65_000 }, (req, res) => this.forward(req, res, 0));
    this.server.keepAliveTimeout = 65_000;
  }

  listen(port = 0): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve((this.server.address() as AddressInfo).port));
    });
  }

  /** The replicas in rotation; called whenever readiness changes. */
  setUpstreams(upstreams: Upstream[]): Promise<void> {
    this.upstreams = upstreams;
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.agent.destroy();
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private forward(req: http.IncomingMessage, res: http.ServerResponse, attempt: number): void {
    const pool = this.upstreams;
    if (pool.length === 0) {
      req.resume();
      reply(res, 503, 'no ready replicas');
      return;
    }
    const upstream = pool[this.next++ % pool.length]!;
    const headers = { ...req.headers };
    delete headers['connection'];
    const bodyless = req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined;
    const out = http.request({ host: '127.0.0.1', port: upstream.port, method: req.method, path: req.url, headers, agent: this.agent }, (up) => {
      const { connection: _c, 'keep-alive': _k, ...end2end } = up.headers; // hop-by-hop headers stay on their hop
      res.writeHead(up.statusCode ?? 502, end2end);
      up.pipe(res);
      up.on('error', () => res.destroy());
    });
    out.on('error', () => {
      if (res.headersSent) return void res.destroy();
      // Nothing came back from this replica: an idempotent request goes once more, to the next one.
      if (attempt < this.retries && bodyless && IDEMPOTENT.has(req.method ?? 'GET')) {
        this.retried++;
        this.forward(req, res, attempt + 1);
        return;
      }
      reply(res, 502, `replica ${upstream.id} failed`);
    });
    if (bodyless) out.end();
    else req.pipe(out);
  }
}

function reply(res: http.ServerResponse, status: number, message: string): void {
  const body = JSON.stringify({ error: message });
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
