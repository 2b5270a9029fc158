/**
 * A stand-in Kubernetes API server for tests: a real HTTP server speaking the Kubernetes REST/JSON API for
 * the resources golive uses, faithful where golive depends on it: list/get/watch with resourceVersion and
 * 410 Gone (as an ERROR watch event with a Status), timeoutSeconds, patches by content type (strategic
 * merge, merge, JSON patch; 415 for strategic merge on custom resources), the eviction subresource
 * answering 429 without Retry-After when a PDB would be violated, SelfSubjectAccessReview, Velero CRs.
 * `StandInController` (standin-controller.ts) plays the controllers and kubelets.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { jsonPatch, mergePatch, strategicMergePatch } from './patch.js';

export type Obj = {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace?: string | undefined; resourceVersion?: string | undefined; [k: string]: any };
  [k: string]: any;
};

export interface LoggedRequest {
  verb: string;
  group: string;
  resource: string;
  namespace: string;
  name: string;
  contentType: string;
  status: number;
}

interface Kind {
  group: string;
  version: string;
  kind: string;
  namespaced: boolean;
  custom?: boolean;
}

export const KINDS: Record<string, Kind> = {
  nodes: { group: '', version: 'v1', kind: 'Node', namespaced: false },
  namespaces: { group: '', version: 'v1', kind: 'Namespace', namespaced: false },
  pods: { group: '', version: 'v1', kind: 'Pod', namespaced: true },
  events: { group: '', version: 'v1', kind: 'Event', namespaced: true },
  deployments: { group: 'apps', version: 'v1', kind: 'Deployment', namespaced: true },
  statefulsets: { group: 'apps', version: 'v1', kind: 'StatefulSet', namespaced: true },
  poddisruptionbudgets: { group: 'policy', version: 'v1', kind: 'PodDisruptionBudget', namespaced: true },
  jobs: { group: 'batch', version: 'v1', kind: 'Job', namespaced: true },
  configmaps: { group: '', version: 'v1', kind: 'ConfigMap', namespaced: true },
  horizontalpodautoscalers: { group: 'autoscaling', version: 'v1', kind: 'HorizontalPodAutoscaler', namespaced: true },
  schedules: { group: 'velero.io', version: 'v1', kind: 'Schedule', namespaced: true, custom: true },
  backups: { group: 'velero.io', version: 'v1', kind: 'Backup', namespaced: true, custom: true },
  restores: { group: 'velero.io', version: 'v1', kind: 'Restore', namespaced: true, custom: true },
};

const HISTORY_LIMIT = 500;

interface Change {
  rv: number;
  resource: string;
  namespace: string;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: Obj;
}
interface Watcher {
  resource: string;
  namespace: string | undefined;
  labelSelector: string | undefined;
  send: (c: Change) => void;
}

export class StandInApiServer {
  readonly requests: LoggedRequest[] = [];
  /** `verb group/resource` pairs SelfSubjectAccessReview denies (e.g. 'create /pods/eviction'). */
  readonly denied = new Set<string>();
  /** Serve metrics.k8s.io (as metrics-server would): pod usage, per container. Off = 404, as without it. */
  metricsServer = true;
  /** Each container's usage: the same for every pod, or per pod. */
  usage: { cpu: string; memory: string } | ((pod: Obj) => { cpu: string; memory: string }) = { cpu: '180m', memory: '70Mi' };
  /**
   * The policy group's served versions and the server's version. ['v1beta1'] with 'v1.20.2' answers as a
   * Kubernetes 1.20 server does (policy/v1 arrived in 1.21): 404 for policy/v1 paths, and a 400 for an
   * Eviction body of policy/v1 with the real server's message.
   */
  policyVersions = ['v1', 'v1beta1'];
  /** What discovery (/apis/policy) says is served, when a test wants it to lie; else policyVersions. */
  advertisedPolicyVersions: string[] | undefined;
  gitVersion = 'v1.30.0';
  /** Resources that answer 403 to every request (to test forbidden errors). */
  readonly forbidden = new Set<string>();
  private readonly store = new Map<string, Obj>();
  /** Container output of pods the controller runs as processes: what pods/log serves. */
  readonly podLogs = new Map<string, { text: string; ended: boolean; followers: Set<(chunk: string | null) => void> }>();
  private rv = 1000;
  private readonly history: Change[] = [];
  private readonly watchers = new Set<Watcher>();
  private readonly server: http.Server;
  private readonly sockets = new Set<import('node:net').Socket>();
  url = '';

  constructor() {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    return new Promise((r) => this.server.close(() => r()));
  }

  // ── the store (used by the controller and tests too) ──

  get(resource: string, namespace: string, name: string): Obj | undefined {
    return this.store.get(key(resource, namespace, name));
  }

  list(resource: string, namespace?: string): Obj[] {
    return [...this.store.entries()].filter(([k]) => k.startsWith(`${resource}/${namespace === undefined ? '' : `${namespace}/`}`)).map(([, v]) => v);
  }

  put(resource: string, obj: Obj): Obj {
    const ns = KINDS[resource]!.namespaced ? (obj.metadata.namespace ?? 'default') : '';
    const k = key(resource, ns, obj.metadata.name);
    const existed = this.store.has(k);
    const kind = KINDS[resource]!;
    const stored: Obj = { apiVersion: kind.group ? `${kind.group}/${kind.version}` : kind.version, kind: kind.kind, ...structuredClone(obj) };
    stored.metadata = { ...stored.metadata, resourceVersion: String(++this.rv), ...(ns ? { namespace: ns } : {}) };
    stored.metadata['uid'] ??= `uid-${this.rv}`;
    stored.metadata['creationTimestamp'] ??= new Date().toISOString();
    if (!existed) stored.metadata['generation'] ??= 1;
    this.store.set(k, stored);
    this.publish({ rv: this.rv, resource, namespace: ns, type: existed ? 'MODIFIED' : 'ADDED', object: stored });
    return stored;
  }

  remove(resource: string, namespace: string, name: string): void {
    const k = key(resource, namespace, name);
    const obj = this.store.get(k);
    if (!obj) return;
    this.store.delete(k);
    const gone = { ...obj, metadata: { ...obj.metadata, resourceVersion: String(++this.rv) } };
    this.publish({ rv: this.rv, resource, namespace, type: 'DELETED', object: gone });
  }

  private publish(c: Change): void {
    this.history.push(c);
    if (this.history.length > HISTORY_LIMIT) this.history.shift();
    for (const w of this.watchers) if (matches(w, c)) w.send(c);
  }

  // ── HTTP ──

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://standin');
    const body = await readBody(req);
    const route = parse(url.pathname);
    const contentType = (req.headers['content-type'] ?? '').split(';')[0]!;
    const watch = url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1';
    const verb =
      req.method === 'GET'
        ? watch
          ? 'watch'
          : route?.name
            ? 'get'
            : 'list'
        : req.method === 'POST'
          ? 'create'
          : req.method === 'PATCH'
            ? 'patch'
            : req.method === 'DELETE'
              ? 'delete'
              : (req.method ?? '');
    const log: LoggedRequest = {
      verb,
      group: route?.group ?? '',
      resource: route ? route.resource + (route.sub ? `/${route.sub}` : '') : url.pathname,
      namespace: route?.namespace ?? '',
      name: route?.name ?? '',
      contentType,
      status: 0,
    };
    this.requests.push(log);
    const send = (status: number, payload: unknown): void => {
      log.status = status;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(payload));
    };
    if (!route) {
      if (url.pathname === '/version')
        return send(200, { major: this.gitVersion.split('.')[0]!.slice(1), minor: this.gitVersion.split('.')[1], gitVersion: this.gitVersion });
      if (url.pathname === '/apis/policy') {
        const versions = (this.advertisedPolicyVersions ?? this.policyVersions).map((v) => ({ groupVersion: `policy/${v}`, version: v }));
        return send(200, { kind: 'APIGroup', apiVersion: 'v1', name: 'policy', versions, preferredVersion: versions[0] });
      }
      if (url.pathname === '/api/v1')
        return send(200, {
          kind: 'APIResourceList',
          groupVersion: 'v1',
          resources: Object.entries(KINDS)
            .filter(([, k]) => !k.group)
            .map(([name, k]) => ({ name, kind: k.kind, namespaced: k.namespaced, verbs: ['get', 'list', 'watch'] })),
        });
      return send(404, status(404, 'NotFound', `the server could not find ${url.pathname}`));
    }
    if (route.group === 'policy' && !this.policyVersions.includes(route.version))
      return send(404, status(404, 'NotFound', 'the server could not find the requested resource'));
    if (this.forbidden.has(route.resource))
      return send(
        403,
        status(403, 'Forbidden', `${route.resource} is forbidden: User "golive" cannot ${verb} resource "${route.resource}" in API group "${route.group}"`),
      );
    if (route.group === 'metrics.k8s.io') {
      if (!this.metricsServer) return send(404, status(404, 'NotFound', 'the server could not find the requested resource'));
      const pods = filterBySelectors(this.list('pods', route.namespace), url.searchParams.get('labelSelector'), null).filter((p) => p['spec']?.nodeName);
      return send(200, {
        kind: 'PodMetricsList',
        apiVersion: 'metrics.k8s.io/v1beta1',
        items: pods.map((p) => ({
          metadata: { name: p.metadata.name, namespace: p.metadata.namespace },
          containers: (p['spec']?.containers ?? []).map((c: { name: string }) => ({
            name: c.name,
            usage: typeof this.usage === 'function' ? this.usage(p) : this.usage,
          })),
        })),
      });
    }
    const kind = KINDS[route.resource];
    if (route.resource === 'selfsubjectaccessreviews') {
      const attrs = (JSON.parse(body) as { spec: { resourceAttributes: { verb: string; group?: string; resource: string; subresource?: string } } }).spec
        .resourceAttributes;
      const id = `${attrs.verb} ${attrs.group ?? ''}/${attrs.resource}${attrs.subresource ? `/${attrs.subresource}` : ''}`;
      return send(201, {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SelfSubjectAccessReview',
        spec: { resourceAttributes: attrs },
        status: { allowed: !this.denied.has(id) },
      });
    }
    if (!kind) return send(404, status(404, 'NotFound', `the server could not find the requested resource (${route.resource})`));
    const ns = route.namespace ?? '';

    if (req.method === 'GET' && route.sub === 'log') {
      const logs = this.podLogs.get(`${ns}/${route.name}`);
      if (!logs) return send(400, status(400, 'BadRequest', `container "worker" in pod "${route.name}" is waiting to start`));
      log.status = 200;
      res.writeHead(200, { 'content-type': 'text/plain', 'transfer-encoding': 'chunked' });
      res.flushHeaders();
      res.write(logs.text);
      if (logs.ended || url.searchParams.get('follow') !== 'true') {
        res.end();
        return;
      }
      const listener = (chunk: string | null): void => {
        if (chunk === null) res.end();
        else res.write(chunk);
      };
      logs.followers.add(listener);
      res.on('close', () => logs.followers.delete(listener));
      return;
    }
    if (req.method === 'GET' && watch) return this.serveWatch(route.resource, route.namespace, url, res, log);
    if (req.method === 'GET' && !route.name) {
      let items = this.list(route.resource, route.namespace);
      items = filterBySelectors(items, url.searchParams.get('labelSelector'), url.searchParams.get('fieldSelector'));
      const limit = Number(url.searchParams.get('limit') ?? 0);
      if (limit > 0) items = items.slice(0, limit);
      return send(200, {
        kind: `${kind.kind}List`,
        apiVersion: kind.group ? `${kind.group}/${kind.version}` : kind.version,
        metadata: { resourceVersion: String(this.rv) },
        items,
      });
    }
    if (req.method === 'GET') {
      const obj = this.get(route.resource, ns, route.name!);
      return obj ? send(200, obj) : send(404, status(404, 'NotFound', `${route.resource} "${route.name}" not found`));
    }
    if (req.method === 'POST' && route.sub === 'eviction') {
      const apiVersion = (JSON.parse(body) as { apiVersion?: string }).apiVersion ?? '';
      const version = apiVersion.split('/')[1] ?? '';
      if (!this.policyVersions.includes(version))
        return send(
          400,
          status(
            400,
            'BadRequest',
            `Eviction in version "${version}" cannot be handled as a Eviction: no kind "Eviction" is registered for version "${apiVersion}" in scheme "k8s.io/kubernetes/pkg/api/legacyscheme/scheme.go:30"`,
          ),
        );
      return this.evict(ns, route.name!, send);
    }
    if (req.method === 'POST') {
      const obj = JSON.parse(body) as Obj;
      if (this.get(route.resource, ns, obj.metadata.name))
        return send(409, status(409, 'AlreadyExists', `${route.resource} "${obj.metadata.name}" already exists`));
      return send(201, this.put(route.resource, { ...obj, metadata: { ...obj.metadata, namespace: route.namespace } }));
    }
    if (req.method === 'PATCH') {
      const obj = this.get(route.resource, ns, route.name!);
      if (!obj) return send(404, status(404, 'NotFound', `${route.resource} "${route.name}" not found`));
      const patch = JSON.parse(body) as never;
      let next: Obj;
      if (contentType === 'application/strategic-merge-patch+json') {
        if (kind.custom) return send(415, status(415, 'UnsupportedMediaType', 'strategic merge patch is not supported for custom resources; use merge patch'));
        next = strategicMergePatch(obj, patch) as unknown as Obj;
      } else if (contentType === 'application/merge-patch+json') next = mergePatch(obj, patch) as unknown as Obj;
      else if (contentType === 'application/json-patch+json') next = jsonPatch(obj, patch) as unknown as Obj;
      else
        return send(
          415,
          status(
            415,
            'UnsupportedMediaType',
            `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml`,
          ),
        );
      if (JSON.stringify(next['spec']) !== JSON.stringify(obj['spec'])) next.metadata['generation'] = (obj.metadata['generation'] ?? 1) + 1;
      return send(200, this.put(route.resource, next));
    }
    if (req.method === 'DELETE') {
      const obj = this.get(route.resource, ns, route.name!);
      if (!obj) return send(404, status(404, 'NotFound', `${route.resource} "${route.name}" not found`));
      const grace = url.searchParams.get('gracePeriodSeconds') ?? (body ? (JSON.parse(body) as { gracePeriodSeconds?: number }).gracePeriodSeconds : undefined);
      if (route.resource === 'pods' || route.resource === 'namespaces') {
        // Graceful deletion: marked now, removed by the controller after the grace period.
        const marked = this.put(route.resource, {
          ...obj,
          metadata: {
            ...obj.metadata,
            deletionTimestamp: new Date().toISOString(),
            deletionGracePeriodSeconds: grace === undefined || grace === null ? (obj['spec']?.terminationGracePeriodSeconds ?? 30) : Number(grace),
          },
        });
        return send(200, marked);
      }
      this.remove(route.resource, ns, route.name!);
      return send(200, status(200, 'Success', 'deleted'));
    }
    return send(405, status(405, 'MethodNotAllowed', req.method ?? ''));
  }

  private evict(ns: string, name: string, send: (s: number, p: unknown) => void): void {
    const pod = this.get('pods', ns, name);
    if (!pod) return send(404, status(404, 'NotFound', `pods "${name}" not found`));
    for (const pdb of this.list('poddisruptionbudgets', ns)) {
      const sel = (pdb['spec']?.selector?.matchLabels ?? {}) as Record<string, string>;
      if (!Object.entries(sel).every(([k, v]) => pod.metadata['labels']?.[k] === v)) continue;
      const healthy = this.list('pods', ns).filter(
        (p) => Object.entries(sel).every(([k, v]) => p.metadata['labels']?.[k] === v) && isReadyObj(p) && !p.metadata['deletionTimestamp'],
      );
      const min = Number(pdb['spec']?.minAvailable ?? 0);
      const podIsHealthy = healthy.some((p) => p.metadata.name === name);
      if (podIsHealthy && healthy.length - 1 < min) {
        // As the real API: 429 TooManyRequests, a DisruptionBudget cause, and no Retry-After header.
        return send(429, {
          ...status(429, 'TooManyRequests', "Cannot evict pod as it would violate the pod's disruption budget."),
          details: {
            causes: [
              {
                reason: 'DisruptionBudget',
                message: `The disruption budget ${pdb.metadata.name} needs ${min} healthy pods and has ${healthy.length} currently`,
              },
            ],
          },
        });
      }
    }
    this.put('pods', {
      ...pod,
      metadata: { ...pod.metadata, deletionTimestamp: new Date().toISOString(), deletionGracePeriodSeconds: pod['spec']?.terminationGracePeriodSeconds ?? 30 },
    });
    send(201, status(201, 'Success', 'evicted'));
  }

  private serveWatch(resource: string, namespace: string | undefined, url: URL, res: http.ServerResponse, log: LoggedRequest): void {
    log.status = 200;
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    res.flushHeaders(); // as the real API server: the watch is established before any event
    const from = Number(url.searchParams.get('resourceVersion') ?? 0);
    const labelSelector = url.searchParams.get('labelSelector') ?? undefined;
    const write = (c: Change): void => {
      res.write(`${JSON.stringify({ type: c.type, object: c.object })}\n`);
    };
    const oldest = this.history[0]?.rv ?? this.rv + 1;
    if (from > 0 && from < oldest - 1) {
      res.end(`${JSON.stringify({ type: 'ERROR', object: status(410, 'Expired', `too old resource version: ${from} (${oldest - 1})`) })}\n`);
      return;
    }
    const watcher: Watcher = { resource, namespace, labelSelector, send: write };
    for (const c of this.history) if (c.rv > from && matches(watcher, c)) write(c);
    this.watchers.add(watcher);
    const timeout = Number(url.searchParams.get('timeoutSeconds') ?? 0);
    const timer = timeout > 0 ? setTimeout(() => res.end(), timeout * 1000) : undefined;
    res.on('close', () => {
      this.watchers.delete(watcher);
      if (timer) clearTimeout(timer);
    });
  }
}

function key(resource: string, namespace: string, name: string): string {
  return `${resource}/${namespace ? `${namespace}/` : ''}${name}`;
}

function matches(w: Watcher, c: Change): boolean {
  if (w.resource !== c.resource) return false;
  if (w.namespace !== undefined && w.namespace !== c.namespace) return false;
  return filterBySelectors([c.object], w.labelSelector ?? null, null).length === 1;
}

export function isReadyObj(p: Obj): boolean {
  return (p['status']?.conditions ?? []).some((c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True');
}

function filterBySelectors(items: Obj[], labelSelector: string | null, fieldSelector: string | null): Obj[] {
  let out = items;
  if (labelSelector) {
    const pairs = labelSelector.split(',').map((p) => p.split('='));
    out = out.filter((o) => pairs.every(([k, v]) => o.metadata['labels']?.[k!] === v));
  }
  if (fieldSelector) {
    const [field, value] = fieldSelector.split('=');
    if (field === 'spec.nodeName') out = out.filter((o) => o['spec']?.nodeName === value);
  }
  return out;
}

function status(code: number, reason: string, message: string): object {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: code < 400 ? 'Success' : 'Failure', message, reason, code };
}

function parse(pathname: string): { group: string; version: string; resource: string; namespace?: string; name?: string; sub?: string } | undefined {
  const core = /^\/api\/v1\/(?:namespaces\/([^/]+)\/)?([a-z]+)(?:\/([^/]+))?(?:\/([a-z]+))?$/.exec(pathname);
  if (core) {
    // /api/v1/namespaces/{name} is the namespace itself.
    if (core[2] && !core[1] && core[2] === 'namespaces' && core[3]) return { group: '', version: 'v1', resource: 'namespaces', name: core[3] };
    return {
      group: '',
      version: 'v1',
      resource: core[2]!,
      ...(core[1] ? { namespace: core[1] } : {}),
      ...(core[3] ? { name: core[3] } : {}),
      ...(core[4] ? { sub: core[4] } : {}),
    };
  }
  const named = /^\/apis\/([^/]+)\/([^/]+)\/(?:namespaces\/([^/]+)\/)?([a-z]+)(?:\/([^/]+))?$/.exec(pathname);
  if (named)
    return { group: named[1]!, version: named[2]!, resource: named[4]!, ...(named[3] ? { namespace: named[3] } : {}), ...(named[5] ? { name: named[5] } : {}) };
  return undefined;
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let data = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      data += c;
    });
    req.on('end', () => resolve(data));
  });
}
