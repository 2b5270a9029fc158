/**
 * The system under test on Kubernetes: the workloads the config names (`workload`, `workloads` as a list or a
 * label selector, or every Deployment and StatefulSet in the namespace), found in the namespace at the start,
 * the entry first. A pod belongs to the workload that owns it (its StatefulSet, or its ReplicaSet's Deployment).
 */
import { GoliveError, InputError } from '../../errors.js';
import type { KubeClient } from './client.js';
import type { ResolvedKubernetesPlatform } from './schema.js';
import { isReady, isTerminating, type KPod, type KWorkload } from './types.js';

export type WorkloadKind = 'Deployment' | 'StatefulSet';

export interface SystemWorkload {
  kind: WorkloadKind;
  name: string;
}

/** Where the config came from: errors about it name its file and line. */
export interface ConfigSource {
  file: string | undefined;
  lineOf: (path: string) => number | undefined;
}

export const label = (w: SystemWorkload): string => `${w.kind} ${w.name}`;

/** The kinds a config's workloads can be, before the cluster is read (what `golive rbac` grants). */
export function configuredKinds(config: ResolvedKubernetesPlatform): WorkloadKind[] {
  const listed = listedWorkloads(config);
  if (!listed) return ['Deployment', 'StatefulSet'];
  return (['Deployment', 'StatefulSet'] as const).filter((k) => listed.some((w) => w.kind === k));
}

/** The workloads the config names one by one (`workload`, or `workloads` as a list); undefined when a selector or the namespace decides. */
function listedWorkloads(config: ResolvedKubernetesPlatform): readonly SystemWorkload[] | undefined {
  return config.workload ? [config.workload] : Array.isArray(config.workloads) ? config.workloads : undefined;
}

function selectorOf(config: ResolvedKubernetesPlatform): string | undefined {
  return config.workloads && !Array.isArray(config.workloads) ? config.workloads.selector : undefined;
}

/** In words, for the platform's description: what the config says the system is. */
export function describeConfigured(config: ResolvedKubernetesPlatform): string {
  if (config.workload) return `${config.workload.kind} ${config.workload.name}`;
  const listed = listedWorkloads(config);
  if (listed) return `workloads ${listed.map(label).join(', ')}`;
  const selector = selectorOf(config);
  if (selector !== undefined) return `the workloads matching ${selector}`;
  return 'every Deployment and StatefulSet';
}

/** The namespace's Deployments and StatefulSets (matching `selector`), Deployments first, each kind by name. */
export async function listWorkloads(
  client: KubeClient,
  namespace: string,
  kinds: readonly WorkloadKind[],
  selector?: string,
): Promise<(KWorkload & SystemWorkload)[]> {
  const byName = (a: KWorkload, b: KWorkload): number => a.metadata.name.localeCompare(b.metadata.name);
  const deployments = kinds.includes('Deployment') ? (await client.listDeployments(namespace, selector)).sort(byName) : [];
  const statefulsets = kinds.includes('StatefulSet') ? (await client.listStatefulSets(namespace, selector)).sort(byName) : [];
  return [
    ...deployments.map((w) => ({ ...w, kind: 'Deployment' as const, name: w.metadata.name })),
    ...statefulsets.map((w) => ({ ...w, kind: 'StatefulSet' as const, name: w.metadata.name })),
  ];
}

/** The system's workloads as they are in the namespace, the entry first; a config that names what is not there is an error naming the place. */
export async function resolveSystem(client: KubeClient, config: ResolvedKubernetesPlatform, source: ConfigSource | undefined): Promise<SystemWorkload[]> {
  const ns = config.namespace;
  const bad = (path: string, message: string): InputError =>
    new InputError('GOLIVE_CONFIG_INVALID', source?.file, [{ path, message, ...lineOf(source, path) }]);
  const present = await listWorkloads(client, ns, configuredKinds(config));
  const inNamespace = (): string => (present.length ? `it has ${present.map(label).join(', ')}` : 'it has no Deployment or StatefulSet');
  let found: SystemWorkload[];
  const listed = listedWorkloads(config);
  const selector = selectorOf(config);
  if (listed) {
    const where = (i: number): string => (config.workload ? 'platform.workload' : `platform.workloads.${i}`);
    const missing = listed.map((w, i) => [w, i] as const).filter(([w]) => !present.some((p) => p.kind === w.kind && p.name === w.name));
    if (missing.length)
      throw new InputError(
        'GOLIVE_CONFIG_INVALID',
        source?.file,
        missing.map(([w, i]) => ({ path: where(i), message: `no ${label(w)} in namespace ${ns} (${inNamespace()})`, ...lineOf(source, where(i)) })),
      );
    found = listed.map((w) => ({ kind: w.kind, name: w.name }));
  } else if (selector !== undefined) {
    const matching = await listWorkloads(client, ns, ['Deployment', 'StatefulSet'], selector);
    if (!matching.length)
      throw bad('platform.workloads.selector', `no Deployment or StatefulSet in namespace ${ns} has labels matching ${selector} (${inNamespace()})`);
    found = matching.map((w) => ({ kind: w.kind, name: w.name }));
  } else {
    if (!present.length)
      throw new GoliveError(
        'GOLIVE_USAGE',
        `namespace ${ns} has no Deployment or StatefulSet: deploy the application first, or name its workloads (platform.workloads)`,
      );
    found = present.map((w) => ({ kind: w.kind, name: w.name }));
  }
  const names = found.map((w) => w.name);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined)
    throw bad(
      'platform.workloads',
      `a Deployment and a StatefulSet are both named "${twice}": components are named by their workload's name, so list the workloads (platform.workloads: [{ kind, name }, …])`,
    );
  const entryName = config.entry ?? found[0]!.name;
  const entry = found.find((w) => w.name === entryName);
  if (!entry) throw bad('platform.entry', `"${entryName}" is not one of the system's workloads (${found.map(label).join(', ')})`);
  return [entry, ...found.filter((w) => w !== entry)];
}

function lineOf(source: ConfigSource | undefined, path: string): { line?: number } {
  const line = source?.lineOf(path);
  return line === undefined ? {} : { line };
}

/** The workload that owns a pod: its StatefulSet, or its ReplicaSet's Deployment (the ReplicaSet is named `<deployment>-<pod-template-hash>`). */
export function ownerOf(pod: KPod): SystemWorkload | undefined {
  const owner = pod.metadata.ownerReferences?.find((o) => o.controller) ?? pod.metadata.ownerReferences?.[0];
  if (!owner) return undefined;
  if (owner.kind === 'StatefulSet') return { kind: 'StatefulSet', name: owner.name };
  const hash = pod.metadata.labels?.['pod-template-hash'];
  if (owner.kind === 'ReplicaSet' && hash && owner.name.endsWith(`-${hash}`)) return { kind: 'Deployment', name: owner.name.slice(0, -hash.length - 1) };
  return undefined;
}

export const sameWorkload = (a: SystemWorkload, b: SystemWorkload): boolean => a.kind === b.kind && a.name === b.name;

/** Pods Ready and not terminating: those serving. */
export function servingPods(pods: readonly KPod[], w: SystemWorkload): number {
  return pods.filter((p) => !isTerminating(p) && isReady(p) && sameOwner(p, w)).length;
}

function sameOwner(p: KPod, w: SystemWorkload): boolean {
  const o = ownerOf(p);
  return o !== undefined && sameWorkload(o, w);
}

/**
 * Available as `kubectl rollout status` says (observed, updated, available replicas), and as its pods say:
 * the status lags the pods by a controller's sync, so a drain that read only the status could move on while
 * an evicted pod's replacement was still starting.
 */
export function workloadAvailable(w: KWorkload, kind: WorkloadKind, pods: readonly KPod[]): boolean {
  return rolloutComplete(w) && servingPods(pods, { kind, name: w.metadata.name }) >= (w.spec?.replicas ?? 1);
}

/** `kubectl rollout status`: observed the latest generation, every replica updated, every one available. */
export function rolloutComplete(w: KWorkload): boolean {
  const s = w.status ?? {};
  const want = w.spec?.replicas ?? 1;
  return (
    (s.observedGeneration ?? 0) >= (w.metadata.generation ?? 0) &&
    (s.updatedReplicas ?? 0) >= want &&
    (s.replicas ?? 0) <= want &&
    (s.availableReplicas ?? s.readyReplicas ?? 0) >= want
  );
}
