/**
 * The `kubernetes` platform: the drills against a real cluster, through its API. A thin adapter over its
 * parts (rollout, drain, zone-outage, environment); every change is journalled with its undo on the run's
 * teardown stack before it is made; `--dry-run` describes every mutating call and makes none.
 */
import path from 'node:path';
import { GoliveError } from '../../errors.js';
import type { LoadPlan } from '../../engine/plan.js';
import type { WorkerFleet } from '../../engine/worker-channel.js';
import type { RunNow } from '../../safety/teardown-stack.js';
import type { AuditSources } from '../../audit/audit.js';
import type { CapacityReport, Placement } from '../../model/result.js';
import type {
  ComponentInfo,
  DeployOptions,
  DrillNeeds,
  EventSink,
  NodeDrainOptions,
  Platform,
  PlatformInfo,
  PlannedHookRunner,
  PlannedPlatform,
  PlatformServices,
  RolloutChange,
  ZoneInfo,
  ZoneOutageMode,
} from '../platform.js';
import { startCapacitySampling } from './capacity.js';
import { KubeClient } from './client.js';
import { drainNode } from './drain.js';
import { backup, deployFromRepo, destroyNamespace, restore } from './environment.js';
import { createJobFleet, type JobWorkersConfig } from './job-fleet.js';
import { ClusterObserver } from './observer.js';
import { accessChecks, requiredRules, type PermissionNeeds } from './permissions.js';
import { rollout, scale, waitWorkloadReady } from './rollout.js';
import { PROTECTED_NAMESPACES, type ResolvedKubernetesPlatform } from './schema.js';
import { K8sScope } from './scope.js';
import { isTerminating, selectorString, ZONE_LABEL } from './types.js';
import { failZone, waitZoneEvacuated, zones } from './zone-outage.js';

export interface KubernetesPlatformOptions extends PlatformServices {
  config: ResolvedKubernetesPlatform;
  /** What the configured drills need: the permissions checked before starting. */
  needs: DrillNeeds[];
  /** Consent for destroying the namespace (disaster-recovery, redeploy). */
  allowDestroy: boolean;
  /** Told about each mutating call, in words (the dry-run plan). */
  onMutation?: (description: string) => void;
  /** The client, when the caller already made one (tests). */
  client?: KubeClient;
  /** Load workers as a Job, when the config asks for them. */
  workers?: JobWorkersConfig | undefined;
}

/** The permissions a config's drills need: what the preflight checks and `golive rbac` prints. */
export function permissionNeeds(config: ResolvedKubernetesPlatform, needs: readonly DrillNeeds[], workersNamespace: string | undefined): PermissionNeeds {
  return {
    namespace: config.namespace,
    workloadResource: config.workload.kind === 'Deployment' ? 'deployments' : 'statefulsets',
    operations: [...new Set(needs.flatMap((n) => n.operations))],
    veleroNamespace: veleroNamespaceFor(config, needs),
    workersNamespace,
  };
}

/**
 * Velero's namespace when a drill backs up through the platform (Velero), else undefined: without it golive
 * reads nothing of Velero's (not even its schedules for the audit), and a cluster without Velero needs no Role there.
 */
export function veleroNamespaceFor(config: ResolvedKubernetesPlatform, needs: readonly DrillNeeds[]): string | undefined {
  return needs.some((n) => n.operations.includes('backup')) ? config.veleroNamespace : undefined;
}

export class KubernetesPlatform implements Platform {
  readonly info: PlatformInfo;
  readonly client: KubeClient;
  private readonly s: K8sScope;
  private observer: ClusterObserver | undefined;
  private readonly zoneUndos = new Map<string, RunNow[]>();
  /** When golive set the unreachable taint on a zone (mode unreachable), to notice a controller removing it. */
  private readonly unreachableSince = new Map<string, number>();

  constructor(
    private readonly options: KubernetesPlatformOptions,
    /** Only PlannedKubernetesPlatform passes true: its client describes every write and makes none. */
    dryRun = false,
  ) {
    const config = options.config;
    this.client =
      options.client ??
      new KubeClient({
        kubeconfig: config.kubeconfig ? path.resolve(options.baseDir, config.kubeconfig) : undefined,
        context: config.context,
        dryRun,
        onMutation: (d) => {
          this.s.sink('k8s.call', d);
          options.onMutation?.(d);
        },
      });
    this.s = new K8sScope(this.client, config, options.hooks, options.journal, options.teardowns, options.baseDir);
    if (config.expectContext && this.client.context !== config.expectContext) {
      throw new GoliveError(
        'GOLIVE_USAGE',
        `refusing to run: the kubeconfig context is "${this.client.context}" but expectContext is "${config.expectContext}"`,
      );
    }
    this.info = {
      kind: 'kubernetes',
      context: this.client.context,
      namespace: config.namespace,
      description: `kubernetes: context ${this.client.context} (${this.client.server}), namespace ${config.namespace}, ${config.workload.kind} ${config.workload.name}${dryRun ? ' · DRY RUN: no changes' : ''}`,
    };
  }

  setEventSink(sink: EventSink): void {
    this.s.sink = sink;
  }

  async start(): Promise<{ url?: string }> {
    const { s } = this;
    await this.client.version();
    const serverVersion = await this.client.serverVersion().catch(() => null);
    // What a server lacks fails here, before any change (Indexed Jobs arrived in Kubernetes 1.21).
    const minor = /^v?1\.(\d+)/.exec(serverVersion ?? '')?.[1];
    if (this.options.workers && minor !== undefined && Number(minor) < 21)
      throw new GoliveError(
        'GOLIVE_PLATFORM_UNSUPPORTED',
        `load workers as pods need Indexed Jobs (Kubernetes 1.21 or later); the server is ${serverVersion}: run the load from here (remove load.workers) or use a newer cluster`,
      );
    const needs = permissionNeeds(s.config, this.options.needs, this.options.workers?.namespace);
    const denied = await this.client.denied(accessChecks(requiredRules(needs)));
    if (denied.length > 0) {
      const list = denied
        .map(
          (d) => `${d.verb} ${d.group ? `${d.group}/` : ''}${d.resource}${d.subresource ? `/${d.subresource}` : ''}${d.namespace ? ` in ${d.namespace}` : ''}`,
        )
        .join('; ');
      throw new GoliveError(
        'GOLIVE_K8S_FORBIDDEN',
        `forbidden before anything changed: golive may not ${list}. \`golive rbac\` prints the Role and ClusterRole to grant.`,
      );
    }
    if (this.options.needs.some((n) => n.destroysEnvironment) && PROTECTED_NAMESPACES.includes(s.ns)) {
      throw new GoliveError('GOLIVE_USAGE', `refusing destructive drills in namespace "${s.ns}" (${PROTECTED_NAMESPACES.join(', ')} are never destroyed)`);
    }
    const workload = await s.workload();
    s.selector = selectorString(workload.spec?.selector?.matchLabels ?? {});
    if (!s.selector) throw new GoliveError('GOLIVE_PLATFORM_UNSUPPORTED', `${s.kind} ${s.ns}/${s.name} has no matchLabels selector golive can watch`);
    s.onTeardown('stop watching the cluster', 'nothing to do', () => this.observer?.stop());
    this.observer = new ClusterObserver(this.client, s.ns, s.selector, () => s.sink);
    await this.observer.start();
    s.sink(
      'k8s.target',
      `context ${this.client.context} at ${this.client.server}${serverVersion ? ` (Kubernetes ${serverVersion})` : ''}, namespace ${s.ns}, ${s.kind} ${s.name} (pods ${s.selector})`,
    );
    return {};
  }

  waitReady(timeoutMs: number, signal: AbortSignal): Promise<void> {
    return waitWorkloadReady(this.s, timeoutMs, signal);
  }

  async components(): Promise<ComponentInfo[]> {
    const workload = await this.s.workload();
    return [{ name: this.s.name, replicas: workload.spec?.replicas ?? 1 }];
  }

  rollout(change: RolloutChange, timeoutMs: number, signal: AbortSignal, component?: string): Promise<void> {
    if (component !== undefined && component !== this.s.name)
      return Promise.reject(new GoliveError('GOLIVE_USAGE', `no component "${component}": the platform's workload is ${this.s.kind} ${this.s.name}`));
    return rollout(this.s, change, timeoutMs, signal);
  }

  async nodes(which: 'hosting' | 'all'): Promise<string[]> {
    if (which === 'all') return (await this.client.listNodes()).items.filter((n) => !n.spec?.unschedulable).map((n) => n.metadata.name);
    const pods = (await this.client.listPods(this.s.ns, this.s.selector)).items;
    return [...new Set(pods.map((p) => p.spec?.nodeName).filter((n): n is string => Boolean(n)))].sort();
  }

  drainNode(node: string, options: NodeDrainOptions, signal: AbortSignal): Promise<void> {
    return drainNode(this.s, node, options, signal);
  }

  zones(): Promise<ZoneInfo[]> {
    return zones(this.s);
  }

  async failZone(zone: string, mode: ZoneOutageMode, signal: AbortSignal): Promise<void> {
    const undos = await failZone(this.s, zone, mode, signal);
    this.zoneUndos.set(zone, [...(this.zoneUndos.get(zone) ?? []), ...undos]);
    if (mode.kind === 'unreachable' && !this.client.dryRun) this.unreachableSince.set(zone, Date.now());
  }

  waitZoneEvacuated(zone: string, timeoutMs: number, signal: AbortSignal): Promise<void> {
    return waitZoneEvacuated(this.s, zone, timeoutMs, signal, this.unreachableSince.get(zone));
  }

  async restoreZone(zone: string): Promise<void> {
    const undos = this.zoneUndos.get(zone);
    if (!undos) return; // not failed by golive, or restored already (a drill's action, then its teardown)
    for (const undo of undos.reverse()) await undo();
    this.zoneUndos.delete(zone);
    this.s.sink('zone.restored', `${zone} back: taints removed, nodes uncordoned`, zone);
  }

  scale(replicas: number, signal: AbortSignal): Promise<void> {
    return scale(this.s, replicas, signal);
  }

  async killReplicas(count: number): Promise<void> {
    const pods = (await this.client.listPods(this.s.ns, this.s.selector)).items.filter((p) => !isTerminating(p)).slice(0, count);
    this.s.sink('replicas.killed', `deleted without grace: ${pods.map((p) => p.metadata.name).join(', ')}`);
    await Promise.all(pods.map((p) => this.client.deletePod(this.s.ns, p.metadata.name, 0)));
  }

  backup(signal: AbortSignal): Promise<string> {
    return backup(this.s, signal);
  }

  destroy(signal: AbortSignal): Promise<void> {
    return destroyNamespace(this.s, this.options.allowDestroy, signal);
  }

  restore(backupId: string, signal: AbortSignal): Promise<void> {
    return restore(this.s, backupId, signal);
  }

  async reset(signal: AbortSignal): Promise<void> {
    await this.destroy(signal);
    this.s.sink('reset', `namespace ${this.s.ns} deleted: the environment is empty`);
  }

  deployFromRepo(options: DeployOptions, signal: AbortSignal): Promise<void> {
    return deployFromRepo(this.s, options, this.options.baseDir, signal);
  }

  sampleCapacity(signal: AbortSignal): { stop(): Promise<CapacityReport> } {
    return startCapacitySampling(this.client, this.s.ns, this.s.selector, signal);
  }

  workerFleet(plan: LoadPlan, count: number): WorkerFleet {
    if (!this.options.workers) throw new GoliveError('GOLIVE_USAGE', "load workers as pods need load.workers: { kind: 'kubernetes', … }");
    return createJobFleet(this.s, this.options.workers)(plan, count);
  }

  async placement(): Promise<Placement> {
    const nodes = (await this.client.listNodes()).items;
    const zoneOf = new Map(nodes.map((n) => [n.metadata.name, n.metadata.labels?.[ZONE_LABEL] ?? '(no zone)']));
    const byZone: Record<string, number> = Object.fromEntries([...new Set(zoneOf.values())].map((z) => [z, 0]));
    const byNode: Record<string, number> = {};
    for (const p of (await this.client.listPods(this.s.ns, this.s.selector)).items) {
      const node = p.spec?.nodeName;
      if (!node || isTerminating(p)) continue;
      byNode[node] = (byNode[node] ?? 0) + 1;
      const zone = zoneOf.get(node) ?? '(no zone)';
      byZone[zone] = (byZone[zone] ?? 0) + 1;
    }
    return { byZone, byNode };
  }

  auditSources(): Pick<AuditSources, 'cluster'> {
    const veleroNamespace = veleroNamespaceFor(this.s.config, this.options.needs);
    return { cluster: { client: this.client, namespace: this.s.ns, ...(veleroNamespace ? { veleroNamespace } : {}) } };
  }
}

/**
 * The kubernetes platform of a dry run: it reads the cluster to name what each step would touch, and its
 * client and hook runner only describe: no API write, no command, no clone.
 */
export class PlannedKubernetesPlatform extends KubernetesPlatform implements PlannedPlatform {
  readonly plans = true;

  constructor(private readonly planned: Omit<KubernetesPlatformOptions, 'hooks'> & { hooks: PlannedHookRunner }) {
    super(planned, true);
  }

  override async deployFromRepo(options: DeployOptions, signal: AbortSignal): Promise<void> {
    if (!options.command)
      throw new GoliveError('GOLIVE_USAGE', "redeploy on kubernetes needs a deploy command: redeploy: { command: 'kubectl apply -k deploy/' }");
    const repo = path.resolve(this.planned.baseDir, options.repo);
    await this.planned.hooks.run(`git clone ${repo} (at HEAD, committed files only)`, {}, signal, undefined, 'deploy command');
    await this.planned.hooks.run(options.command, { GOLIVE_NAMESPACE: this.planned.config.namespace }, signal, `the clone of ${repo}`, 'deploy command');
  }
}
