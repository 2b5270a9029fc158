/**
 * A system of three workloads on the test cluster, beside the demo app's namespace: the demo (the front,
 * behind the NodePort), `api` (a Deployment of 3 without a disruption budget that exits at SIGTERM and is slow
 * to become Ready, as an API that warms caches at start) and `store` (a StatefulSet of 2, each with its own claim). All three run the
 * demo's program, which the process kubelet maps from the golive-demo image.
 */
import { readFileSync } from 'node:fs';
import { parseAllDocuments, stringify } from 'yaml';
import { DEMO_NAMESPACE, deployDemo, type DemoVariant } from './demo.js';
import type { KubeObject } from './rest.js';
import type { TestCluster } from './test-cluster.js';

export const SYSTEM_WORKLOADS = ['demo', 'api', 'store'] as const;
/** Seconds before an `api` pod may be Ready: an evicted api pod is gone at once, its replacement Ready this much later. */
export const API_WARM_UP_S = 10;

const container = (env: Record<string, string>, readiness: object): object => ({
  name: 'app',
  image: 'golive-demo:1',
  ports: [{ containerPort: 3000 }],
  env: Object.entries({ PORT: '3000', GOLIVE_DATA_DIR: '/data', ...env }).map(([name, value]) => ({ name, value })),
  readinessProbe: { httpGet: { path: '/readyz', port: 3000 }, periodSeconds: 1, failureThreshold: 1, ...readiness },
  resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { memory: '128Mi' } },
  volumeMounts: [{ name: 'data', mountPath: '/data' }],
});

function backEnd(): object[] {
  const labels = (app: string): Record<string, string> => ({ app, 'app.kubernetes.io/part-of': 'shop' });
  return [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'api', namespace: DEMO_NAMESPACE, labels: labels('api') },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'api' } },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
        template: {
          metadata: { labels: labels('api') },
          spec: {
            terminationGracePeriodSeconds: 10,
            containers: [container({ DEMO_GRACEFUL: '0' }, { initialDelaySeconds: API_WARM_UP_S })],
            volumes: [{ name: 'data', emptyDir: {} }],
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'store', namespace: DEMO_NAMESPACE },
      spec: { clusterIP: 'None', selector: { app: 'store' }, ports: [{ port: 3000 }] },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'store', namespace: DEMO_NAMESPACE, labels: labels('store') },
      spec: {
        replicas: 2,
        serviceName: 'store',
        selector: { matchLabels: { app: 'store' } },
        template: {
          metadata: { labels: labels('store') },
          spec: { terminationGracePeriodSeconds: 10, containers: [container({ DEMO_DRAIN_MS: '500' }, {})] },
        },
        volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
      },
    },
  ];
}

/** The front is the demo (labelled part of the shop too); `api` and `store` are applied beside it. Returns the NodePort URL. */
export async function deploySystem(cluster: TestCluster, variant: DemoVariant = {}): Promise<string> {
  const front: DemoVariant = {
    ...variant,
    edit: (o) => {
      if (o.kind === 'Deployment') {
        o.metadata.labels = { ...o.metadata.labels, 'app.kubernetes.io/part-of': 'shop' };
      }
      variant.edit?.(o);
    },
  };
  const url = await deployDemo(cluster, front);
  await cluster.kubectl(['apply', '-f', '-'], {
    input: backEnd()
      .map((o) => stringify(o))
      .join('---\n'),
  });
  await cluster.kubectl(['-n', DEMO_NAMESPACE, 'rollout', 'status', 'deployment/api', '--timeout=180s']);
  await cluster.kubectl(['-n', DEMO_NAMESPACE, 'rollout', 'status', 'statefulset/store', '--timeout=180s']);
  await cluster.waitFor(
    `/api/v1/namespaces/${DEMO_NAMESPACE}/pods`,
    (pods) => pods.every((p) => !p.metadata.deletionTimestamp) && pods.length === 8,
    'the system settled: 3 demo, 3 api and 2 store pods, none terminating',
    180_000,
  );
  return url;
}

/** A pod's workload, from its name (Deployment pods: NAME-HASH-SUFFIX; StatefulSet pods: NAME-ORDINAL). */
export function workloadOfPod(pod: KubeObject): string {
  const name = pod.metadata.name;
  return SYSTEM_WORKLOADS.find((w) => name.startsWith(`${w}-`)) ?? '(other)';
}

const isReady = (p: KubeObject): boolean => (p.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');

export interface Interval {
  startMs: number;
  endMs: number;
}

/**
 * What the test sees of the system, independently of golive: from watches on the namespace's pods and on the
 * nodes, each workload's Ready (not terminating) pods over time, every cordon with those counts at that moment,
 * and pods that began terminating before they were ever Ready (evicted as replacements, not yet serving).
 */
export class SystemWatch {
  private readonly pods = new Map<string, KubeObject>();
  private readonly everReady = new Set<string>();
  private readonly unschedulable = new Map<string, boolean>();
  private readonly belowSince = new Map<string, number>();
  readonly below: Record<string, Interval[]> = Object.fromEntries(SYSTEM_WORKLOADS.map((w) => [w, []]));
  readonly cordons: { node: string; atMs: number; ready: Record<string, number> }[] = [];
  readonly terminatedUnready: string[] = [];
  private readonly fewest: Record<string, number> = {};
  private readonly stops: (() => void)[];
  private readonly t0 = Date.now();

  constructor(
    cluster: TestCluster,
    private readonly want: Record<string, number> = { demo: 3, api: 3, store: 2 },
  ) {
    this.stops = [
      cluster.cp.admin.watch(`/api/v1/namespaces/${DEMO_NAMESPACE}/pods`, (e) => this.onPod(e.type, e.object)),
      cluster.cp.admin.watch('/api/v1/nodes', (e) => this.onNode(e.object)),
    ];
  }

  /** Waits until the watches have seen the whole system, then forgets what they saw while listing. */
  async settled(): Promise<void> {
    const until = Date.now() + 60_000;
    while (!this.whole()) {
      if (Date.now() > until) throw new Error(`the system is not whole: ${JSON.stringify(this.ready())}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    for (const w of SYSTEM_WORKLOADS) this.below[w]!.length = 0;
    this.belowSince.clear();
    this.cordons.length = 0;
    this.terminatedUnready.length = 0;
    Object.assign(this.fewest, this.ready());
  }

  /** ms since the watch began. */
  now(): number {
    return Date.now() - this.t0;
  }

  ready(): Record<string, number> {
    const out: Record<string, number> = Object.fromEntries(SYSTEM_WORKLOADS.map((w) => [w, 0]));
    for (const p of this.pods.values()) if (!p.metadata.deletionTimestamp && isReady(p)) out[workloadOfPod(p)] = (out[workloadOfPod(p)] ?? 0) + 1;
    return out;
  }

  /** Whether every workload has all its pods Ready now. */
  whole(): boolean {
    const ready = this.ready();
    return SYSTEM_WORKLOADS.every((w) => (ready[w] ?? 0) >= this.want[w]!);
  }

  /** How often, how long in all and at longest each workload was below its Ready count (intervals still open end now), and its fewest Ready pods. */
  figures(): Record<string, { times: number; longestMs: number; totalMs: number; fewestReady: number }> {
    return Object.fromEntries(
      SYSTEM_WORKLOADS.map((w) => {
        const open = this.belowSince.get(w);
        const all = [...this.below[w]!, ...(open === undefined ? [] : [{ startMs: open, endMs: this.now() }])];
        const lengths = all.map((i) => i.endMs - i.startMs);
        return [w, { times: all.length, longestMs: Math.max(0, ...lengths), totalMs: lengths.reduce((a, b) => a + b, 0), fewestReady: this.fewest[w]! }];
      }),
    );
  }

  stop(): void {
    for (const s of this.stops) s();
  }

  private onPod(type: string, pod: KubeObject): void {
    const name = pod.metadata.name;
    const before = this.pods.get(name);
    if (type === 'DELETED') this.pods.delete(name);
    else this.pods.set(name, pod);
    if (isReady(pod)) this.everReady.add(pod.metadata.uid!);
    if (pod.metadata.deletionTimestamp && !before?.metadata.deletionTimestamp && !this.everReady.has(pod.metadata.uid!)) this.terminatedUnready.push(name);
    const ready = this.ready();
    for (const w of SYSTEM_WORKLOADS) {
      this.fewest[w] = Math.min(this.fewest[w] ?? Infinity, ready[w] ?? 0);
      const short = (ready[w] ?? 0) < this.want[w]!;
      const since = this.belowSince.get(w);
      if (short && since === undefined) this.belowSince.set(w, this.now());
      if (!short && since !== undefined) {
        this.below[w]!.push({ startMs: since, endMs: this.now() });
        this.belowSince.delete(w);
      }
    }
  }

  private onNode(node: KubeObject): void {
    const name = node.metadata.name;
    const now = Boolean(node.spec?.unschedulable);
    const before = this.unschedulable.get(name) ?? false;
    this.unschedulable.set(name, now);
    if (now && !before) this.cordons.push({ node: name, atMs: this.now(), ready: this.ready() });
  }
}

/** A RoleBinding or ClusterRoleBinding of `user` for each Role and ClusterRole in `rbacYaml` (`golive rbac`'s output), applied with them. */
export async function bindUser(cluster: TestCluster, user: string, rbacYaml: string): Promise<void> {
  const docs = parseAllDocuments(rbacYaml).map((d) => d.toJS() as { kind: string; metadata: { name: string; namespace?: string } });
  const bindings = docs.map((d) => ({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: d.kind === 'Role' ? 'RoleBinding' : 'ClusterRoleBinding',
    metadata: { name: 'golive', ...(d.metadata.namespace ? { namespace: d.metadata.namespace } : {}) },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: d.kind, name: d.metadata.name },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: user }],
  }));
  await cluster.kubectl(['apply', '-f', '-'], { input: [rbacYaml, ...bindings.map((b) => JSON.stringify(b))].join('\n---\n') });
}

export interface AuditEntry {
  stage: string;
  verb: string;
  user: { username: string };
  objectRef?: { resource: string; subresource?: string; apiGroup?: string };
  responseStatus?: { code: number };
  requestReceivedTimestamp: string;
}

/** The API server's audit log: one user's resource requests from `since` on (responses only). */
export function auditLog(file: string, user: string, since: string): AuditEntry[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as AuditEntry)
    .filter((e) => e.stage === 'ResponseComplete' && e.user.username === user && e.objectRef && e.requestReceivedTimestamp >= since);
}

/** An audit entry as an RBAC rule: `verb group resource[/subresource]`. */
export function ruleOf(e: AuditEntry): string {
  const r = e.objectRef!;
  return `${e.verb} ${r.apiGroup || 'core'} ${r.subresource ? `${r.resource}/${r.subresource}` : r.resource}`;
}
