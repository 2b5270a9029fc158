/**
 * NodePorts for the test cluster, as kube-proxy gives them: every NodePort Service listens on
 * 127.0.0.1:<nodePort>, and each new TCP connection goes to one ready endpoint, as the real endpoints
 * controller publishes it, chosen in turn. A connection stays with its pod until one side closes it;
 * with no ready endpoint a connection is refused (kube-proxy's REJECT).
 */
import net from 'node:net';
import type { ProcessKubelet } from './process-kubelet.js';
import type { KubeObject, Rest } from './rest.js';

interface Listener {
  server: net.Server;
  namespace: string;
  service: string;
  portName: string | undefined;
  next: number;
}

export class NodePortProxy {
  private readonly listeners = new Map<number, Listener>();
  private readonly endpoints = new Map<string, KubeObject>();
  private readonly sockets = new Set<net.Socket>();
  private stops: (() => void)[] = [];
  /** Connections handed to each pod IP, for tests. */
  readonly connectionsTo = new Map<string, number>();

  constructor(
    private readonly rest: Rest,
    private readonly kubelet: ProcessKubelet,
  ) {}

  start(): void {
    this.stops.push(
      this.rest.watch('/api/v1/endpoints', (e) => {
        const key = `${e.object.metadata.namespace}/${e.object.metadata.name}`;
        if (e.type === 'DELETED') this.endpoints.delete(key);
        else this.endpoints.set(key, e.object);
      }),
    );
    this.stops.push(this.rest.watch('/api/v1/services', (e) => this.onService(e.type, e.object)));
  }

  /** Resolves once `nodePort` accepts connections. */
  async ready(nodePort: number, deadlineMs = 30_000): Promise<void> {
    const until = Date.now() + deadlineMs;
    while (Date.now() < until) {
      if (this.listeners.get(nodePort)?.server.listening) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`NodePort ${nodePort} is not served after ${deadlineMs} ms`);
  }

  private onService(type: string, svc: KubeObject): void {
    const ns = svc.metadata.namespace!;
    const name = svc.metadata.name;
    const wanted = new Map<number, string | undefined>();
    if (type !== 'DELETED' && svc.spec?.type === 'NodePort')
      for (const p of (svc.spec.ports ?? []) as { nodePort?: number; name?: string }[]) if (p.nodePort) wanted.set(p.nodePort, p.name);
    for (const [port, l] of this.listeners) {
      if (l.namespace === ns && l.service === name && !wanted.has(port)) {
        l.server.close();
        this.listeners.delete(port);
      }
    }
    for (const [port, portName] of wanted) {
      if (this.listeners.has(port)) continue;
      const l: Listener = { server: net.createServer((s) => this.forward(l, s)), namespace: ns, service: name, portName, next: 0 };
      l.server.on('error', () => undefined);
      l.server.listen(port, '127.0.0.1');
      this.listeners.set(port, l);
    }
  }

  private forward(l: Listener, client: net.Socket): void {
    const ep = this.endpoints.get(`${l.namespace}/${l.service}`);
    const targets: { ip: string; port: number }[] = [];
    for (const subset of (ep?.['subsets'] ?? []) as { addresses?: { ip: string }[]; ports?: { name?: string; port: number }[] }[]) {
      const port = (subset.ports ?? []).find((p) => p.name === l.portName || (subset.ports ?? []).length === 1);
      if (!port) continue;
      for (const a of subset.addresses ?? []) targets.push({ ip: a.ip, port: port.port });
    }
    const target = targets.length ? targets[l.next++ % targets.length]! : undefined;
    const local = target ? this.kubelet.resolve(target.ip, target.port) : undefined;
    if (!target || local === undefined) {
      client.resetAndDestroy();
      return;
    }
    this.connectionsTo.set(target.ip, (this.connectionsTo.get(target.ip) ?? 0) + 1);
    const upstream = net.connect({ host: '127.0.0.1', port: local });
    this.sockets.add(client).add(upstream);
    const drop = (s: net.Socket) => () => this.sockets.delete(s);
    client.on('close', drop(client));
    upstream.on('close', drop(upstream));
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
  }

  async stop(): Promise<void> {
    for (const s of this.stops) s();
    for (const s of this.sockets) s.destroy();
    await Promise.all([...this.listeners.values()].map((l) => new Promise<void>((r) => l.server.close(() => r()))));
    this.listeners.clear();
  }
}
