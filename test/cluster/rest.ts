/**
 * A small JSON client of the Kubernetes REST API for the test cluster's own parts (process kubelet, Service
 * proxy): requests with a bearer token over TLS to a self-signed loopback server, and watches that relist.
 * golive itself talks to clusters through @kubernetes/client-node; this is test tooling.
 */
import https from 'node:https';

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    deletionTimestamp?: string;
    deletionGracePeriodSeconds?: number;
    [k: string]: unknown;
  };
  spec?: any;
  status?: any;
  [k: string]: unknown;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: KubeObject;
}

export class Rest {
  private readonly agent = new https.Agent({ keepAlive: true, rejectUnauthorized: false, maxSockets: 16 });
  private closed = false;
  private readonly watches = new Set<() => void>();

  constructor(
    readonly server: string,
    private readonly token: string,
  ) {}

  async request<T = KubeObject>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<T> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise<T>((resolve, reject) => {
      const req = https.request(
        new URL(path, this.server),
        {
          method,
          agent: this.agent,
          headers: {
            authorization: `Bearer ${this.token}`,
            accept: 'application/json',
            ...(payload !== undefined ? { 'content-type': contentType, 'content-length': Buffer.byteLength(payload) } : {}),
          },
          timeout: 30_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            if ((res.statusCode ?? 0) >= 400) {
              let message = text;
              try {
                message = (JSON.parse(text) as { message?: string }).message ?? text;
              } catch {
                // not JSON: keep the text
              }
              reject(new ApiError(res.statusCode ?? 0, `${method} ${path}: ${res.statusCode} ${message}`));
              return;
            }
            // /readyz and /healthz answer plain text
            if (!String(res.headers['content-type'] ?? '').includes('json')) return resolve(text as T);
            try {
              resolve((text ? JSON.parse(text) : {}) as T);
            } catch (e) {
              reject(e instanceof Error ? e : new Error(String(e)));
            }
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  get<T = KubeObject>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }
  post<T = KubeObject>(path: string, body: unknown): Promise<T> {
    return this.request<T>('POST', path, body);
  }
  mergePatch<T = KubeObject>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PATCH', path, body, 'application/merge-patch+json');
  }
  strategicPatch<T = KubeObject>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PATCH', path, body, 'application/strategic-merge-patch+json');
  }
  delete<T = KubeObject>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('DELETE', path, body);
  }

  /**
   * Lists `path` and follows it: every object is reported as ADDED first; on 410 Gone, a closed stream or an
   * error, it relists and reports what changed meanwhile (DELETED for what disappeared). Returns a stop function.
   */
  watch(path: string, onEvent: (e: WatchEvent) => void): () => void {
    let stopped = false;
    let current: import('node:http').ClientRequest | undefined;
    const known = new Map<string, KubeObject>();
    const key = (o: KubeObject): string => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
    const loop = async (): Promise<void> => {
      while (!stopped && !this.closed) {
        try {
          const list = await this.get<{ items: KubeObject[]; metadata: { resourceVersion: string } }>(path);
          const seen = new Set<string>();
          for (const o of list.items) {
            seen.add(key(o));
            const before = known.get(key(o));
            known.set(key(o), o);
            if (!before) onEvent({ type: 'ADDED', object: o });
            else if (before.metadata.resourceVersion !== o.metadata.resourceVersion) onEvent({ type: 'MODIFIED', object: o });
          }
          for (const [k, o] of known) {
            if (!seen.has(k)) {
              known.delete(k);
              onEvent({ type: 'DELETED', object: o });
            }
          }
          await this.stream(
            path,
            list.metadata.resourceVersion,
            (e) => {
              if (e.type === 'DELETED') known.delete(key(e.object));
              else known.set(key(e.object), e.object);
              onEvent(e);
            },
            (req) => (current = req),
          );
        } catch {
          // relist below
        }
        if (!stopped && !this.closed) await new Promise((r) => setTimeout(r, 200));
      }
    };
    void loop();
    const stop = (): void => {
      stopped = true;
      current?.destroy();
      this.watches.delete(stop);
    };
    this.watches.add(stop);
    return stop;
  }

  private stream(
    path: string,
    resourceVersion: string,
    onEvent: (e: WatchEvent) => void,
    onRequest: (r: import('node:http').ClientRequest) => void,
  ): Promise<void> {
    const sep = path.includes('?') ? '&' : '?';
    return new Promise<void>((resolve) => {
      const req = https.request(
        new URL(`${path}${sep}watch=1&allowWatchBookmarks=false&resourceVersion=${resourceVersion}&timeoutSeconds=300`, this.server),
        { agent: false, rejectUnauthorized: false, headers: { authorization: `Bearer ${this.token}`, accept: 'application/json' } },
        (res) => {
          if (res.statusCode !== 200) {
            res.resume();
            resolve();
            return;
          }
          let buffered = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            buffered += chunk;
            let nl: number;
            while ((nl = buffered.indexOf('\n')) >= 0) {
              const line = buffered.slice(0, nl);
              buffered = buffered.slice(nl + 1);
              if (!line.trim()) continue;
              const e = JSON.parse(line) as { type: string; object: KubeObject };
              // 410 Gone arrives as an ERROR event: relist.
              if (e.type === 'ERROR') {
                req.destroy();
                resolve();
                return;
              }
              if (e.type === 'ADDED' || e.type === 'MODIFIED' || e.type === 'DELETED') onEvent(e as WatchEvent);
            }
          });
          res.on('end', resolve);
          res.on('error', () => resolve());
          res.on('close', resolve);
        },
      );
      onRequest(req);
      req.on('error', () => resolve());
      req.end();
    });
  }

  close(): void {
    this.closed = true;
    for (const stop of [...this.watches]) stop();
    this.agent.destroy();
  }
}
