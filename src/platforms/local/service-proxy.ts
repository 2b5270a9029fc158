/** The main thread's handle on the Service worker (service-proxy-worker.ts): bind, set endpoints, close. */
import { Worker } from 'node:worker_threads';
import type { LocalService, Upstream } from './ingress-proxy.js';
import type { ServiceFromWorker, ServiceToWorker } from './service-proxy-protocol.js';

export class ServiceProxy implements LocalService {
  /** A Service never retries: what a client sent to a replica that died fails. */
  readonly retried = 0;
  private readonly worker = new Worker(new URL('./service-proxy-worker.js', import.meta.url));
  private version = 0;
  private closed = false;

  /** The proxy thread's Linux thread id, once it has said (its CPU is the Service's). */
  cpuThreadId: number | null = null;
  readonly cpuThreadLabel = "the Service's proxy thread";

  constructor() {
    this.worker.unref();
    this.worker.on('message', (m: ServiceFromWorker) => {
      if (m.type === 'thread') this.cpuThreadId = m.tid;
    });
  }

  /** Binds the Service's port (refusing connections until replicas are ready); resolves with it. */
  listen(port = 0): Promise<number> {
    return new Promise((resolve, reject) => {
      const onMessage = (m: ServiceFromWorker): void => {
        if (m.type !== 'listening' && m.type !== 'error') return;
        this.worker.off('message', onMessage);
        if (m.type === 'listening') resolve(m.port);
        else reject(new Error(`the local Service could not listen on ${port || 'a free port'}: ${m.message}`));
      };
      this.worker.on('message', onMessage);
      this.send({ type: 'bind', port });
    });
  }

  /** The replicas in rotation: only new connections go by it. Resolves once the proxy thread applied it. */
  setUpstreams(upstreams: Upstream[]): Promise<void> {
    if (this.closed) return Promise.resolve();
    return this.apply((version) => ({ type: 'upstreams', version, upstreams: upstreams.map((u) => ({ id: u.id, port: u.port })) }));
  }

  /** Replicas whose machine is lost: their connections go silent (before the processes are killed). */
  lose(ids: string[]): Promise<void> {
    return this.apply((version) => ({ type: 'lose', version, ids }));
  }

  /** Sends a change and resolves when the proxy thread says it is in effect. */
  private apply(message: (version: number) => ServiceToWorker): Promise<void> {
    const version = ++this.version;
    return new Promise((resolve) => {
      const onMessage = (m: ServiceFromWorker): void => {
        if (m.type !== 'applied' || m.version !== version) return;
        this.worker.off('message', onMessage);
        resolve();
      };
      this.worker.on('message', onMessage);
      this.send(message(version));
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    this.send({ type: 'close' });
    // The worker ends by itself once its sockets are closed; a worker that does not is stopped.
    const timer = setTimeout(() => void this.worker.terminate(), 5000);
    await exited;
    clearTimeout(timer);
  }

  private send(m: ServiceToWorker): void {
    this.worker.postMessage(m);
  }
}
