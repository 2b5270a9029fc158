/**
 * The local platform in a dry run: it starts nothing and changes nothing — no replica, no Service, no
 * deleted data folder — and says in words what each step would do. Replicas are placed on the simulated
 * cluster as the real run would place them, so the plan names the nodes and zones the drills would hit.
 */
import path from 'node:path';
import type {
  ComponentInfo,
  DeployOptions,
  EventSink,
  NodeDrainOptions,
  PlannedHookRunner,
  PlannedPlatform,
  PlatformInfo,
  RolloutChange,
  ZoneInfo,
  ZoneOutageMode,
} from '../platform.js';
import { GoliveError } from '../../errors.js';
import { SimCluster } from './cluster.js';
import type { ResolvedLocalPlatform } from './schema.js';

export interface LocalDryRunOptions {
  config: ResolvedLocalPlatform;
  baseDir: string;
  runDir: string;
  /** Hooks (a zone's, a reboot's) are described by the dry run's hook runner, which cannot run them. */
  hooks: PlannedHookRunner;
  onMutation?: ((description: string) => void) | undefined;
}

export class LocalDryRun implements PlannedPlatform {
  readonly plans = true;
  readonly info: PlatformInfo;
  private readonly cluster: SimCluster;
  /** Node of each replica the run would start, in order, with its component. */
  private readonly placed: { node: string; component: string }[] = [];
  private sink: EventSink = () => undefined;

  constructor(private readonly options: LocalDryRunOptions) {
    const { components, order, cluster } = options.config;
    this.cluster = new SimCluster(cluster.nodes, cluster.zones);
    for (const name of order) {
      const c = components[name]!;
      for (let i = 0; i < c.replicas; i++) {
        const node = this.cluster.pick((n) => this.placed.filter((p) => p.node === n && p.component === name).length, c.spread, c.zones);
        if (node) this.placed.push({ node: node.name, component: name });
      }
    }
    this.info = {
      kind: 'local',
      description: `local: ${this.describeComponents()} on ${cluster.nodes} nodes in ${cluster.zones} zones · DRY RUN: nothing is started or changed`,
    };
  }

  private describeComponents(): string {
    const { components, order } = this.options.config;
    return order.map((name) => `${components[name]!.replicas} × ${name === 'app' && order.length === 1 ? `"${components[name]!.command}"` : name}`).join(', ');
  }

  private would(description: string): Promise<void> {
    this.options.onMutation?.(description);
    return Promise.resolve();
  }

  private get dataDirs(): string {
    const { components } = this.options.config;
    const several = Object.keys(components).length > 1;
    return Object.entries(components)
      .map(([name, c]) => path.resolve(this.options.baseDir, c.dataDir ?? path.join(this.options.runDir, several ? `data-${name}` : 'data')))
      .join(', ');
  }

  setEventSink(sink: EventSink): void {
    this.sink = sink;
  }

  start(): Promise<{ url: string }> {
    const { components, order, port } = this.options.config;
    for (const name of order) {
      const c = components[name]!;
      this.options.onMutation?.(`start ${c.replicas} × "${c.command}" in ${path.resolve(this.options.baseDir, c.cwd ?? '.')} behind a Service`);
    }
    return Promise.resolve({ url: `http://127.0.0.1:${port}` });
  }

  waitReady(): Promise<void> {
    return Promise.resolve();
  }

  components(): Promise<ComponentInfo[]> {
    const { components, order } = this.options.config;
    return Promise.resolve(
      order.map((name) => ({ name, replicas: components[name]!.replicas, ...(components[name]!.zones ? { zones: components[name]!.zones } : {}) })),
    );
  }

  rollout(change: RolloutChange, _timeoutMs: number, _signal: AbortSignal, component?: string): Promise<void> {
    const { components, entry } = this.options.config;
    const name = component ?? entry;
    if (!components[name])
      return Promise.reject(new GoliveError('GOLIVE_USAGE', `no component "${name}"; the components are ${Object.keys(components).join(', ')}`));
    if (change.kind === 'run') return Promise.reject(new GoliveError('GOLIVE_USAGE', 'the local platform cannot run a deploy command: use restart or env'));
    const what = change.kind === 'restart' ? 'a restart' : change.kind === 'env' ? `env ${change.name}=${change.value}` : `image ${change.image}`;
    const s = components[name].strategy;
    this.sink(
      'rollout.started',
      `would roll out ${what} (${s.type}${s.type === 'RollingUpdate' ? `, maxSurge ${s.maxSurge}, maxUnavailable ${s.maxUnavailable}` : ''})`,
    );
    return this.would(`roll out ${what} to ${components[name].replicas} replica(s) of ${name}`);
  }

  nodes(which: 'hosting' | 'all'): Promise<string[]> {
    const hosting = new Set(this.placed.map((p) => p.node));
    return Promise.resolve(this.cluster.nodes.filter((n) => which === 'all' || hosting.has(n.name)).map((n) => n.name));
  }

  async drainNode(name: string, options: NodeDrainOptions, signal: AbortSignal): Promise<void> {
    const here = this.placed.filter((p) => p.node === name).length;
    this.sink('drill.node', `would drain ${name}: ${here} replica(s) evicted and replaced elsewhere`, name);
    const delay = options.reboot && 'delayMs' in options.reboot ? `, reboot it (${options.reboot.delayMs} ms)` : '';
    await this.would(`cordon ${name}, evict its ${here} replica(s) (the disruption budget honoured)${delay}`);
    if (options.reboot && 'run' in options.reboot) await this.options.hooks.run(options.reboot.run, { GOLIVE_NODE: name }, signal);
    if (options.reboot && 'manual' in options.reboot) await this.options.hooks.manual(options.reboot.manual.replaceAll('$GOLIVE_NODE', name), signal);
    await this.would(`uncordon ${name}`);
  }

  zones(): Promise<ZoneInfo[]> {
    return Promise.resolve(
      this.cluster.zones().map((zone) => {
        const nodes = this.cluster.nodes.filter((n) => n.zone === zone).map((n) => n.name);
        return { zone, nodes, replicas: this.placed.filter((p) => nodes.includes(p.node)).length };
      }),
    );
  }

  async failZone(zone: string, mode: ZoneOutageMode, signal: AbortSignal): Promise<void> {
    this.sink('zone.lost', `would lose ${zone}`, zone);
    if (mode.kind === 'run') await this.options.hooks.run(mode.command, { GOLIVE_ZONE: zone }, signal);
    await this.would(`lose ${zone}: its nodes down, its replicas killed at once (SIGKILL)`);
  }

  waitZoneEvacuated(): Promise<void> {
    return Promise.resolve();
  }

  restoreZone(zone: string): Promise<void> {
    return this.would(`bring ${zone} back`);
  }

  scale(replicas: number): Promise<void> {
    return this.would(`scale to ${replicas} replica(s)`);
  }

  killReplicas(count: number): Promise<void> {
    return this.would(`kill ${count} replica(s) (SIGKILL)`);
  }

  async backup(signal: AbortSignal): Promise<string> {
    for (const [name, c] of this.dumping())
      await this.options.hooks.run(c.backup!.run, { GOLIVE_COMPONENT: name }, signal, path.resolve(this.options.baseDir, c.cwd ?? '.'));
    this.options.onMutation?.(`snapshot ${this.dataDirs} into ${path.join(this.options.runDir, 'snapshots')}`);
    return 'dry-run-snapshot';
  }

  /** Components with a dump of their own (`backup: { run, restore }`). */
  private dumping(): [string, ResolvedLocalPlatform['components'][string]][] {
    return Object.entries(this.options.config.components).filter(([, c]) => c.backup);
  }

  destroy(): Promise<void> {
    return this.would(`kill every replica and delete ${this.dataDirs}`);
  }

  async restore(backupId: string, signal: AbortSignal): Promise<void> {
    await this.would(`restore ${this.dataDirs} from ${backupId}`);
    for (const [name, c] of this.dumping())
      if (c.backup!.restore)
        await this.options.hooks.run(c.backup!.restore, { GOLIVE_COMPONENT: name }, signal, path.resolve(this.options.baseDir, c.cwd ?? '.'));
    await this.would(`start ${this.placed.length} replica(s)`);
  }

  reset(): Promise<void> {
    return this.would(`stop every replica and delete ${this.dataDirs}`);
  }

  async deployFromRepo(options: DeployOptions, signal: AbortSignal): Promise<void> {
    const repo = path.resolve(this.options.baseDir, options.repo);
    await this.would(`clone ${repo} at HEAD (committed files only)${options.coldCaches ? ', with empty package caches' : ''}`);
    if (options.build) await this.options.hooks.run(options.build, {}, signal, `the clone of ${repo}`, 'build');
    await this.would(`start ${this.placed.length} replica(s) from the clone`);
  }
}
