/**
 * The only module that imports @kubernetes/client-node. Everything golive does in a cluster goes through
 * this small client: typed calls, the right patch content types (strategic merge for core/apps objects,
 * merge patch for custom resources, which answer 415 to strategic merge), errors with stable codes, and
 * a dry-run mode in which every mutating call is described in words and not made.
 */
import { PassThrough } from 'node:stream';
import * as k8s from '@kubernetes/client-node';
import { GoliveError } from '../../errors.js';
import type { KCustom, KEvent, KNode, KPdb, KPod, KWorkload } from './types.js';

export interface ClientOptions {
  /** A kubeconfig file; default: the usual loading rules (KUBECONFIG, ~/.kube/config, in-cluster). */
  kubeconfig?: string | undefined;
  context?: string | undefined;
  /** Describe mutating calls instead of making them. */
  dryRun?: boolean;
  /** Receives each planned (dry run) or made mutating call, in words. */
  onMutation?: (description: string) => void;
}

export interface WatchEvent<T> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: T;
}

export interface AccessCheck {
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  namespace?: string;
}

const STRATEGIC = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch);
const MERGE = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);

export class KubeClient {
  readonly context: string;
  readonly server: string;
  readonly defaultNamespace: string;
  readonly dryRun: boolean;
  private readonly kc: k8s.KubeConfig;
  private readonly core: k8s.CoreV1Api;
  private readonly apps: k8s.AppsV1Api;
  private readonly policy: k8s.PolicyV1Api;
  private readonly custom: k8s.CustomObjectsApi;
  private readonly authz: k8s.AuthorizationV1Api;
  /** autoscaling/v1: served by every version (v2 only from 1.23), and it has all the audit reads. */
  private readonly autoscaling: k8s.AutoscalingV1Api;
  private readonly batch: k8s.BatchV1Api;
  private readonly onMutation: (d: string) => void;
  private readonly policyGroup: k8s.PolicyApi;
  private readonly versionApi: k8s.VersionApi;
  /** The policy group version the server serves, as `kubectl drain` discovers it: v1 (1.21+), else v1beta1. */
  private policyVersion: Promise<'v1' | 'v1beta1'> | undefined;

  constructor(options: ClientOptions = {}) {
    const kc = new k8s.KubeConfig();
    try {
      if (options.kubeconfig) kc.loadFromFile(options.kubeconfig);
      else kc.loadFromDefault();
    } catch (err) {
      throw new GoliveError('GOLIVE_USAGE', `cannot read the kubeconfig${options.kubeconfig ? ` ${options.kubeconfig}` : ''}: ${(err as Error).message}`);
    }
    if (kc.getContexts().length === 0 && !kc.getCurrentCluster()) {
      throw new GoliveError('GOLIVE_USAGE', 'no kubeconfig found: set KUBECONFIG, create ~/.kube/config, or run inside a cluster');
    }
    if (options.context) {
      if (!kc.getContexts().some((c) => c.name === options.context)) {
        throw new GoliveError(
          'GOLIVE_USAGE',
          `no context "${options.context}" in the kubeconfig; it has: ${
            kc
              .getContexts()
              .map((c) => c.name)
              .join(', ') || 'none'
          }`,
        );
      }
      kc.setCurrentContext(options.context);
    }
    this.kc = kc;
    this.context = kc.getCurrentContext();
    this.server = kc.getCurrentCluster()?.server ?? '(unknown)';
    this.defaultNamespace = kc.getContextObject(this.context)?.namespace ?? 'default';
    this.core = kc.makeApiClient(k8s.CoreV1Api);
    this.apps = kc.makeApiClient(k8s.AppsV1Api);
    this.policy = kc.makeApiClient(k8s.PolicyV1Api);
    this.policyGroup = kc.makeApiClient(k8s.PolicyApi);
    this.versionApi = kc.makeApiClient(k8s.VersionApi);
    this.custom = kc.makeApiClient(k8s.CustomObjectsApi);
    this.authz = kc.makeApiClient(k8s.AuthorizationV1Api);
    this.autoscaling = kc.makeApiClient(k8s.AutoscalingV1Api);
    this.batch = kc.makeApiClient(k8s.BatchV1Api);
    this.dryRun = options.dryRun ?? false;
    this.onMutation = options.onMutation ?? (() => undefined);
  }

  // ── reads ─────────────────────────────────────────────────────────────────────────────────────────────

  async version(): Promise<void> {
    await call('reach the API server', () => this.core.getAPIResources(), this.server);
  }

  listNodes(): Promise<{ items: KNode[]; resourceVersion: string }> {
    return call('list nodes', async () => list<KNode>(await this.core.listNode()));
  }

  getNode(name: string): Promise<KNode> {
    return call(`get node ${name}`, () => this.core.readNode({ name }) as Promise<KNode>);
  }

  listPods(namespace: string, labelSelector?: string, fieldSelector?: string): Promise<{ items: KPod[]; resourceVersion: string }> {
    return call(`list pods in ${namespace}`, async () =>
      list<KPod>(await this.core.listNamespacedPod({ namespace, ...(labelSelector ? { labelSelector } : {}), ...(fieldSelector ? { fieldSelector } : {}) })),
    );
  }

  /** Pods of every namespace on one node (what a drain evicts). */
  listPodsOnNode(node: string): Promise<KPod[]> {
    return call(`list pods on ${node}`, async () => list<KPod>(await this.core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${node}` })).items);
  }

  getWorkload(kind: 'Deployment' | 'StatefulSet', namespace: string, name: string): Promise<KWorkload> {
    return call(
      `get ${kind} ${namespace}/${name}`,
      () =>
        (kind === 'Deployment'
          ? this.apps.readNamespacedDeployment({ name, namespace })
          : this.apps.readNamespacedStatefulSet({ name, namespace })) as Promise<KWorkload>,
    );
  }

  listDeployments(namespace: string, labelSelector?: string): Promise<KWorkload[]> {
    return call(
      `list deployments in ${namespace}`,
      async () => list<KWorkload>(await this.apps.listNamespacedDeployment({ namespace, ...(labelSelector ? { labelSelector } : {}) })).items,
    );
  }

  listStatefulSets(namespace: string, labelSelector?: string): Promise<KWorkload[]> {
    return call(
      `list statefulsets in ${namespace}`,
      async () => list<KWorkload>(await this.apps.listNamespacedStatefulSet({ namespace, ...(labelSelector ? { labelSelector } : {}) })).items,
    );
  }

  listPdbs(namespace: string): Promise<KPdb[]> {
    return call(`list poddisruptionbudgets in ${namespace}`, async () => {
      if ((await this.policyGroupVersion()) === 'v1') return list<KPdb>(await this.policy.listNamespacedPodDisruptionBudget({ namespace })).items;
      const r = (await this.custom.listNamespacedCustomObject({ group: 'policy', version: 'v1beta1', namespace, plural: 'poddisruptionbudgets' })) as {
        items: unknown[];
      };
      return list<KPdb>(r).items;
    });
  }

  /** The server's version (`/version`), e.g. v1.20.2; null when it does not say. */
  async serverVersion(): Promise<string | null> {
    return call('read the server version', async () => (await this.versionApi.getCode()).gitVersion ?? null, this.server);
  }

  /** policy/v1 where served, policy/v1beta1 otherwise (Kubernetes before 1.21), asked once. */
  policyGroupVersion(): Promise<'v1' | 'v1beta1'> {
    this.policyVersion ??= call('discover the policy API group', async () => {
      const versions = (await this.policyGroup.getAPIGroup()).versions.map((v) => v.version);
      return versions.includes('v1') || !versions.includes('v1beta1') ? 'v1' : 'v1beta1';
    });
    return this.policyVersion;
  }

  listEvents(namespace: string): Promise<{ items: KEvent[]; resourceVersion: string }> {
    return call(`list events in ${namespace}`, async () => list<KEvent>(await this.core.listNamespacedEvent({ namespace })));
  }

  async namespaceExists(name: string): Promise<boolean> {
    try {
      await this.core.readNamespace({ name });
      return true;
    } catch (err) {
      if (statusOf(err) === 404) return false;
      throw toGoliveError(`get namespace ${name}`, err);
    }
  }

  getCustom(group: string, version: string, namespace: string, plural: string, name: string): Promise<KCustom> {
    return call(
      `get ${plural}.${group} ${namespace}/${name}`,
      () => this.custom.getNamespacedCustomObject({ group, version, namespace, plural, name }) as Promise<KCustom>,
    );
  }

  listHpas(namespace: string): Promise<{ name: string; target: { kind: string; name: string }; minReplicas: number }[]> {
    return call(`list horizontalpodautoscalers in ${namespace}`, async () =>
      (await this.autoscaling.listNamespacedHorizontalPodAutoscaler({ namespace })).items.map((h) => ({
        name: h.metadata?.name ?? '',
        target: { kind: h.spec?.scaleTargetRef.kind ?? '', name: h.spec?.scaleTargetRef.name ?? '' },
        minReplicas: h.spec?.minReplicas ?? 1,
      })),
    );
  }

  /** Namespaces that Velero Schedules back up; null when Velero is not installed. */
  async listVeleroSchedules(veleroNamespace: string): Promise<string[] | null> {
    try {
      const r = (await this.custom.listNamespacedCustomObject({ group: 'velero.io', version: 'v1', namespace: veleroNamespace, plural: 'schedules' })) as {
        items?: { spec?: { template?: { includedNamespaces?: string[] } } }[];
      };
      return (r.items ?? []).flatMap((i) => i.spec?.template?.includedNamespaces ?? []);
    } catch (err) {
      if (statusOf(err) === 404) return null;
      throw toGoliveError('list schedules.velero.io', err);
    }
  }

  /** Pods of every namespace (for N-1 headroom: what the nodes already carry). */
  listAllPods(): Promise<KPod[]> {
    return call('list pods in all namespaces', async () => list<KPod>(await this.core.listPodForAllNamespaces()).items);
  }

  /** Usage of the namespace's pods from metrics.k8s.io; null when the API is not served (no metrics-server). */
  async podMetrics(namespace: string): Promise<unknown[] | null> {
    try {
      const r = (await this.custom.listNamespacedCustomObject({ group: 'metrics.k8s.io', version: 'v1beta1', namespace, plural: 'pods' })) as {
        items?: unknown[];
      };
      return r.items ?? [];
    } catch (err) {
      if (statusOf(err) === 404 || statusOf(err) === 503) return null;
      throw toGoliveError('read pod metrics (metrics.k8s.io)', err);
    }
  }

  /** Whether a custom resource type exists (e.g. Velero installed). */
  async hasResource(group: string, version: string, plural: string, namespace: string): Promise<boolean> {
    try {
      await this.custom.listNamespacedCustomObject({ group, version, namespace, plural, limit: 1 });
      return true;
    } catch (err) {
      if (statusOf(err) === 404) return false;
      throw toGoliveError(`list ${plural}.${group}`, err);
    }
  }

  /** SelfSubjectAccessReview for each check; returns those that are denied. */
  async denied(checks: AccessCheck[]): Promise<AccessCheck[]> {
    const out: AccessCheck[] = [];
    for (const c of checks) {
      const review = await call('check permissions (SelfSubjectAccessReview)', () =>
        this.authz.createSelfSubjectAccessReview({
          body: {
            apiVersion: 'authorization.k8s.io/v1',
            kind: 'SelfSubjectAccessReview',
            spec: {
              resourceAttributes: {
                verb: c.verb,
                group: c.group,
                resource: c.resource,
                ...(c.subresource ? { subresource: c.subresource } : {}),
                ...(c.namespace ? { namespace: c.namespace } : {}),
              },
            },
          },
        }),
      );
      if (!review.status?.allowed) out.push(c);
    }
    return out;
  }

  /**
   * Watches a collection from `resourceVersion`: resolves when the watch ends (server timeout, error,
   * abort); `onEvent` gets every event. Callers restart it and relist on 410 Gone.
   */
  async watch<T>(
    path: string,
    query: Record<string, string | number | boolean>,
    onEvent: (e: WatchEvent<T>) => void,
    signal: AbortSignal,
  ): Promise<{ gone: boolean; error?: string }> {
    const watcher = new k8s.Watch(this.kc);
    let gone = false;
    return new Promise((resolve) => {
      let controller: AbortController | undefined;
      // Our own abort ends the watch at once; the library may not call `done` for it.
      const onAbort = (): void => {
        controller?.abort();
        resolve({ gone: false });
      };
      signal.addEventListener('abort', onAbort, { once: true });
      watcher
        .watch(
          path,
          query,
          (type, object: unknown) => {
            if (type === 'ERROR' && (object as { code?: number }).code === 410) gone = true;
            onEvent({ type: type as WatchEvent<T>['type'], object: object as T });
          },
          (err: unknown) => {
            signal.removeEventListener('abort', onAbort);
            const status = statusOf(err);
            resolve({ gone: gone || status === 410, ...(err && !signal.aborted ? { error: err instanceof Error ? err.message : JSON.stringify(err) } : {}) });
          },
        )
        .then(
          (c) => {
            controller = c;
            if (signal.aborted) c.abort();
          },
          (err: unknown) => {
            signal.removeEventListener('abort', onAbort);
            resolve({ gone: statusOf(err) === 410, error: (err as Error).message });
          },
        );
    });
  }

  // ── writes (each described; none made in a dry run) ───────────────────────────────────────────────────

  patchNode(name: string, patch: object, what: string): Promise<void> {
    return this.mutate(`PATCH node ${name} (strategic merge): ${what}`, () => this.core.patchNode({ name, body: patch }, STRATEGIC));
  }

  patchWorkload(kind: 'Deployment' | 'StatefulSet', namespace: string, name: string, patch: object, what: string): Promise<void> {
    return this.mutate(`PATCH ${kind} ${namespace}/${name} (strategic merge): ${what}`, () =>
      kind === 'Deployment'
        ? this.apps.patchNamespacedDeployment({ name, namespace, body: patch }, STRATEGIC)
        : this.apps.patchNamespacedStatefulSet({ name, namespace, body: patch }, STRATEGIC),
    );
  }

  /** The Eviction API, as kubectl drain uses it. A PDB that would be violated answers 429. */
  async evictPod(namespace: string, name: string): Promise<'evicted' | 'blocked' | 'gone'> {
    if (this.dryRun) {
      this.onMutation(`POST pods/${name}/eviction in ${namespace}: evict (PDBs honoured)`);
      return 'evicted';
    }
    try {
      const apiVersion = `policy/${await this.policyGroupVersion()}`;
      await this.core.createNamespacedPodEviction({ name, namespace, body: { apiVersion, kind: 'Eviction', metadata: { name, namespace } } });
      this.onMutation(`POST pods/${name}/eviction in ${namespace}`);
      return 'evicted';
    } catch (err) {
      const status = statusOf(err);
      if (status === 429) return 'blocked';
      if (status === 404) return 'gone';
      throw toGoliveError(`evict pod ${namespace}/${name}`, err);
    }
  }

  deletePod(namespace: string, name: string, gracePeriodSeconds: number): Promise<void> {
    return this.mutate(
      `DELETE pod ${namespace}/${name} (grace ${gracePeriodSeconds} s)`,
      () => this.core.deleteNamespacedPod({ name, namespace, gracePeriodSeconds }),
      true,
    );
  }

  deleteNamespace(name: string): Promise<void> {
    return this.mutate(`DELETE namespace ${name}`, () => this.core.deleteNamespace({ name }), true);
  }

  createCustom(group: string, version: string, namespace: string, plural: string, body: KCustom & { apiVersion: string; kind: string }): Promise<void> {
    return this.mutate(`CREATE ${plural}.${group} ${namespace}/${body.metadata.name}`, () =>
      this.custom.createNamespacedCustomObject({ group, version, namespace, plural, body }),
    );
  }

  patchCustom(group: string, version: string, namespace: string, plural: string, name: string, patch: object, what: string): Promise<void> {
    return this.mutate(`PATCH ${plural}.${group} ${namespace}/${name} (merge patch): ${what}`, () =>
      this.custom.patchNamespacedCustomObject({ group, version, namespace, plural, name, body: patch }, MERGE),
    );
  }

  deleteCustom(group: string, version: string, namespace: string, plural: string, name: string): Promise<void> {
    return this.mutate(
      `DELETE ${plural}.${group} ${namespace}/${name}`,
      () => this.custom.deleteNamespacedCustomObject({ group, version, namespace, plural, name }),
      true,
    );
  }

  createConfigMap(namespace: string, name: string, data: Record<string, string>, labels: Record<string, string>): Promise<void> {
    return this.mutate(`CREATE configmap ${namespace}/${name}`, () =>
      this.core.createNamespacedConfigMap({ namespace, body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace, labels }, data } }),
    );
  }

  deleteConfigMap(namespace: string, name: string): Promise<void> {
    return this.mutate(`DELETE configmap ${namespace}/${name}`, () => this.core.deleteNamespacedConfigMap({ name, namespace }), true);
  }

  createJob(namespace: string, body: object & { metadata: { name: string } }): Promise<void> {
    return this.mutate(`CREATE job ${namespace}/${body.metadata.name}`, () => this.batch.createNamespacedJob({ namespace, body: body }));
  }

  /** Deletes a Job and its pods (background propagation: the pods go too). */
  deleteJob(namespace: string, name: string): Promise<void> {
    return this.mutate(`DELETE job ${namespace}/${name}`, () => this.batch.deleteNamespacedJob({ name, namespace, propagationPolicy: 'Background' }), true);
  }

  /**
   * Follows a container's log (pods/log with follow=true): every line to `onLine`; resolves when the stream
   * ends (the container exited, or the abort).
   */
  async followLog(namespace: string, pod: string, container: string, onLine: (line: string) => void, signal: AbortSignal): Promise<{ error?: string }> {
    const stream = new PassThrough();
    let buffered = '';
    stream.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      let nl;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        onLine(buffered.slice(0, nl));
        buffered = buffered.slice(nl + 1);
      }
    });
    return new Promise((resolve) => {
      let controller: AbortController | undefined;
      let settled = false;
      const finish = (result: { error?: string }): void => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', onAbort);
        if (buffered) onLine(buffered);
        resolve(result);
      };
      const onAbort = (): void => {
        controller?.abort();
        finish({});
      };
      signal.addEventListener('abort', onAbort, { once: true });
      // The library pipes the response into the stream and never calls `done`: the stream's end is the log's.
      stream.on('end', () => finish({}));
      stream.on('error', (err) => finish({ error: err.message }));
      new k8s.Log(this.kc).log(namespace, pod, container, stream, { follow: true }).then(
        (c) => {
          controller = c;
          if (signal.aborted) c.abort();
        },
        (err: unknown) => finish({ error: err instanceof Error ? err.message : String(err) }),
      );
    });
  }

  private async mutate(description: string, run: () => Promise<unknown>, notFoundIsDone = false): Promise<void> {
    if (this.dryRun) {
      this.onMutation(description);
      return;
    }
    try {
      await run();
      this.onMutation(description);
    } catch (err) {
      if (notFoundIsDone && statusOf(err) === 404) return;
      throw toGoliveError(description, err);
    }
  }
}

function list<T>(result: { items: unknown[]; metadata?: { resourceVersion?: string } }): { items: T[]; resourceVersion: string } {
  return { items: result.items as T[], resourceVersion: result.metadata?.resourceVersion ?? '' };
}

function statusOf(err: unknown): number | undefined {
  if (err instanceof k8s.ApiException) return err.code;
  const code = (err as { statusCode?: unknown; code?: unknown } | null)?.statusCode;
  return typeof code === 'number' ? code : undefined;
}

async function call<T>(what: string, run: () => Promise<T>, server?: string): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw toGoliveError(what, err, server);
  }
}

/** The `message` of a Status body, whole (a regex stopped at its first escaped quote). */
function statusMessage(body: string): string | undefined {
  try {
    const message = (JSON.parse(body) as { message?: unknown } | null)?.message;
    return typeof message === 'string' && message ? message : undefined;
  } catch {
    return body.trim() ? body.trim().slice(0, 2000) : undefined;
  }
}

/** Kubernetes failures as golive errors with stable codes and the verb and resource named. */
function toGoliveError(what: string, err: unknown, server?: string): GoliveError {
  const status = statusOf(err);
  const body = err instanceof k8s.ApiException ? (typeof err.body === 'string' ? err.body : JSON.stringify(err.body)) : '';
  const detail = statusMessage(body) ?? (err as Error)?.message ?? String(err);
  if (status === 403) return new GoliveError('GOLIVE_K8S_FORBIDDEN', `forbidden: cannot ${what}: ${detail}. \`golive rbac\` prints the Role golive needs.`);
  if (status === 401) return new GoliveError('GOLIVE_K8S_FORBIDDEN', `unauthorized: the kubeconfig's credentials were refused while trying to ${what}`);
  if (status === 404) return new GoliveError('GOLIVE_K8S_NOT_FOUND', `not found: cannot ${what}: ${detail}`);
  if (status === undefined)
    return new GoliveError('GOLIVE_K8S_UNREACHABLE', `cannot ${what}: the API server${server ? ` ${server}` : ''} did not answer (${detail})`);
  return new GoliveError('GOLIVE_K8S_FAILED', `cannot ${what}: HTTP ${status}: ${detail}`);
}
