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
import { rollout, scale, waitAvailable } from './rollout.js';
import { PROTECTED_NAMESPACES, type ResolvedKubernetesPlatform } from './schema.js';
import { K8sScope } from './scope.js';
import { configuredKinds, describeConfigured, label, listWorkloads, resolveSystem, sameWorkload, type ConfigSource } from './system.js';
import { isTerminating, ZONE_LABEL } from './types.js';
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
  /** Where the config came from: a workload it names that is not in the namespace is reported at its file and line. */
  configSource?: ConfigSource | undefined;
}

/** The permissions a config's drills need: what the preflight checks and `golive rbac` prints. */
export function permissionNeeds(config: ResolvedKubernetesPlatform, needs: readonly DrillNeeds[], workersNamespace: string | undefined): PermissionNeeds {
  return {
    namespace: config.namespace,
    workloadResources: configuredKinds(config).map((k) => (k === 'Deployment' ? 'deployments' : 'statefulsets')),
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
      description: `kubernetes: context ${this.client.context} (${this.client.server}), namespace ${config.namespace}, ${describeConfigured(config)}${dryRun ? ' · DRY RUN: no changes' : ''}`,
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
    s.system = await resolveSystem(this.client, s.config, this.options.configSource);
    s.onTeardown('stop watching the cluster', 'nothing to do', () => this.observer?.stop());
    this.observer = new ClusterObserver(
      this.client,
      s.ns,
      (pod) => s.componentOf(pod) !== undefined,
      () => s.sink,
    );
    await this.observer.start();
    const [entry, ...rest] = s.system.map(label);
    s.sink(
      'k8s.target',
      `context ${this.client.context} at ${this.client.server}${serverVersion ? ` (Kubernetes ${serverVersion})` : ''}, namespace ${s.ns}, ${entry} (the entry)${rest.length ? `, ${rest.join(', ')}` : ''}`,
    );
    return {};
  }

  async waitReady(timeoutMs: number, signal: AbortSignal): Promise<void> {
    await waitAvailable(this.s, this.s.system, timeoutMs, signal);
  }

  async components(): Promise<ComponentInfo[]> {
    const present = await listWorkloads(this.client, this.s.ns, [...new Set(this.s.system.map((w) => w.kind))]);
    return this.s.system.map((w) => ({ name: w.name, replicas: present.find((p) => sameWorkload(p, w))?.spec?.replicas ?? 0 }));
  }

  async rollout(change: RolloutChange, timeoutMs: number, signal: AbortSignal, component?: string): Promise<void> {
    await rollout(this.s, this.s.component(component), change, timeoutMs, signal);
  }

  async nodes(which: 'hosting' | 'all'): Promise<string[]> {
    if (which === 'all') return (await this.client.listNodes()).items.filter((n) => !n.spec?.unschedulable).map((n) => n.metadata.name);
    const pods = await this.s.systemPods();
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

  /** Scales the entry. */
  scale(replicas: number, signal: AbortSignal): Promise<void> {
    return scale(this.s, this.s.component(), replicas, signal);
  }

  /** Kills the entry's pods. */
  async killReplicas(count: number): Promise<void> {
    const entry = this.s.component();
    const pods = (await this.s.systemPods()).filter((p) => !isTerminating(p) && this.s.componentOf(p) === entry).slice(0, count);
    this.s.sink('replicas.killed', `deleted without grace: ${pods.map((p) => p.metadata.name).join(', ')}`, entry.name);
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
    return startCapacitySampling(
      this.client,
      this.s.ns,
      (pod) => this.s.componentOf(pod)?.name,
      this.s.system.map((w) => w.name),
      signal,
    );
  }

  workerFleet(plan: LoadPlan, count: number): WorkerFleet {
    if (!this.options.workers) throw new GoliveError('GOLIVE_USAGE', "load workers as pods need load.workers: { kind: 'kubernetes', … }");
    return createJobFleet(this.s, this.options.workers)(plan, count);
  }

  async placement(): Promise<Placement> {
    const nodes = (await this.client.listNodes()).items;
    const zoneOf = new Map(nodes.map((n) => [n.metadata.name, n.metadata.labels?.[ZONE_LABEL] ?? '(no zone)']));
    const counts = (): { byZone: Record<string, number>; byNode: Record<string, number> } => ({
      byZone: Object.fromEntries([...new Set(zoneOf.values())].map((z) => [z, 0])),
      byNode: {},
    });
    const all = counts();
    const byComponent = Object.fromEntries(this.s.system.map((w) => [w.name, counts()]));
    for (const p of await this.s.systemPods()) {
      const node = p.spec?.nodeName;
      if (!node || isTerminating(p)) continue;
      const zone = zoneOf.get(node) ?? '(no zone)';
      for (const c of [all, byComponent[this.s.componentOf(p)!.name]!]) {
        c.byNode[node] = (c.byNode[node] ?? 0) + 1;
        c.byZone[zone] = (c.byZone[zone] ?? 0) + 1;
      }
    }
    return { ...all, byComponent };
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
