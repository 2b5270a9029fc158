/**
 * The local "Service": one port that forwards over keep-alive connections to ready replicas, round-robin.
 * Like a Kubernetes Service (not an Ingress) it does not retry: a request sent to a replica that dies
 * fails (502), and with no ready replica at all the answer is 503.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Upstream {
  id: string;
  port: number;
}

export class FrontProxy {
  private readonly server: http.Server;
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 512, maxFreeSockets: 512 });
  private upstreams: Upstream[] = [];
  private next = 0;

  constructor() {
    this.server = http.createServer({ keepAliveTimeout: 65_000 }, (req, res) => this.forward(req, res));
    this.server.keepAliveTimeout = 65_000;
  }

  listen(port = 0): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve((this.server.address() as AddressInfo).port));
    });
  }

  /** The replicas in rotation; called whenever readiness changes. */
  setUpstreams(upstreams: Upstream[]): void {
    this.upstreams = upstreams;
  }

  close(): Promise<void> {
    this.agent.destroy();
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private forward(req: http.IncomingMessage, res: http.ServerResponse): void {
    const pool = this.upstreams;
    if (pool.length === 0) {
      req.resume();
      reply(res, 503, 'no ready replicas');
      return;
    }
    const upstream = pool[this.next++ % pool.length]!;
    const headers = { ...req.headers };
    delete headers['connection'];
    const out = http.request({ host: '127.0.0.1', port: upstream.port, method: req.method, path: req.url, headers, agent: this.agent }, (up) => {
      const { connection: _c, 'keep-alive': _k, ...end2end } = up.headers; // hop-by-hop headers stay on their hop
      res.writeHead(up.statusCode ?? 502, end2end);
      up.pipe(res);
      up.on('error', () => res.destroy());
    });
    out.on('error', () => {
      if (!res.headersSent) reply(res, 502, `replica ${upstream.id} failed`);
      else res.destroy();
    });
    req.pipe(out);
  }
}

function reply(res: http.ServerResponse, status: number, message: string): void {
  const body = JSON.stringify({ error: message });
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
