/**
 * The `local` platform: golive supervises the application as processes on a simulated cluster (nodes in
 * zones), behind a Service (or ingress) that routes only to ready replicas. It plays the roles of the Deployment
 * controller, the scheduler, the kubelet's readiness probe, the Service and the node lifecycle, so every
 * drill runs on a laptop or in CI without a cluster. A thin adapter over its parts: the replica set
 * (controllers), node lifecycle, rollout and the environment (data, redeploy).
 */
import { makeDirs } from '../../files.js';
import path from 'node:path';
import type { AuditSources } from '../../audit/audit.js';
import type { RunNow } from '../../safety/teardown-stack.js';
import type { CapacityReport, Placement } from '../../model/result.js';
import { startUsageSampling } from './usage.js';
import type {
  ComponentInfo,
  DeployOptions,
  EventSink,
  NodeDrainOptions,
  Platform,
  PlatformInfo,
  PlatformServices,
  RolloutChange,
  ZoneInfo,
  ZoneOutageMode,
} from '../platform.js';
import { removeOwnedTempDir } from '../../safety/owned-temp-dir.js';
import { GoliveError } from '../../errors.js';
import { SimCluster } from './cluster.js';
import { backup, deployFromRepo, destroy, reset, restore, restoreDataDir, snapshotPath, type OwnedDir } from './environment.js';
import { IngressProxy, type LocalService } from './ingress-proxy.js';
import { ServiceProxy } from './service-proxy.js';
import { drainNode, failZone, restoreZone, waitZoneEvacuated, zones } from './node-lifecycle.js';
import { ReplicaSet } from './replica-set.js';
import { placementOf, restoreSteadyState } from './steady-state.js';
import { killReplicas, rollout, scale } from './rollout.js';
import type { ResolvedComponent, ResolvedLocalPlatform } from './schema.js';

export interface LocalPlatformOptions extends PlatformServices {
  config: ResolvedLocalPlatform;
  /** Where the config came from, for the audit's findings (file and line). */
  configSource: { file: string | undefined; lineOf: (path: string) => number | undefined };
}

/** One component: its controller (the replica set) and the Service in front of its replicas. */
interface Component {
  rs: ReplicaSet;
  service: LocalService;
  /** The Service's port, once it listens. */
  port: number;
}

export class LocalPlatform implements Platform {
  readonly info: PlatformInfo;
  private readonly cluster: SimCluster;
  private retriesTimer: NodeJS.Timeout | undefined;
  /** The system's components in start order (what each refers to first). */
  private readonly system: Component[];
  private readonly entry: Component;
  private readonly owned: OwnedDir[] = [];
  /** The newest snapshot (disaster-recovery's backup), and how to put it back once the data is destroyed. */
  private lastSnapshot: string | undefined;
  private putDataBack: RunNow | undefined;
  private sink: EventSink = () => undefined;
  /** Each component's Service address, for `{{components.NAME.url|host|port}}` in the others' env. */
  private readonly addresses: Record<string, string> = {};

  constructor(private readonly options: LocalPlatformOptions) {
    const { components, order, entry, cluster, service } = options.config;
    this.cluster = new SimCluster(cluster.nodes, cluster.zones);
    this.system = order.map((name) => {
      const spec = components[name]!;
      // Users reach the entry through the configured front (a Service or an ingress); components reach each other through Services.
      const proxy: LocalService = name === entry && service.kind === 'ingress' ? new IngressProxy(service.retries) : new ServiceProxy();
      const rs = new ReplicaSet({
        name,
        spec,
        clusterConfig: cluster,
        cluster: this.cluster,
        proxy,
        journal: options.journal,
        runDir: options.runDir,
        runId: options.runId,
        appCwd: path.resolve(options.baseDir, spec.cwd ?? '.'),
        dataDir: dataDirOf(options, name, spec),
        env: {},
        sink: () => this.sink,
      });
      return { rs, service: proxy, port: 0 };
    });
    this.entry = this.system.find((c) => c.rs.name === entry)!;
    const front =
      service.kind === 'ingress'
        ? `an ingress (each request balanced, ${service.retries} retry)`
        : 'a Service (each connection pinned to a replica, as kube-proxy)';
    const what = this.system.map((c) => `${c.rs.spec.replicas} × ${c.rs.name === 'app' ? `"${c.rs.spec.command}"` : c.rs.name}`).join(', ');
    this.info = {
      kind: 'local',
      description: `local: ${what} on ${cluster.nodes} nodes in ${cluster.zones} zones (spread: ${this.entry.rs.spec.spread}) behind ${front}`,
    };
  }

  private get replicaSets(): ReplicaSet[] {
    return this.system.map((c) => c.rs);
  }

  private component(name: string | undefined): Component {
    if (name === undefined) return this.entry;
    const found = this.system.find((c) => c.rs.name === name);
    if (!found) throw new GoliveError('GOLIVE_USAGE', `no component "${name}"; the components are ${this.system.map((c) => c.rs.name).join(', ')}`);
    return found;
  }

  setEventSink(sink: EventSink): void {
    this.sink = sink;
  }

  /** Every Service bound first (so every address is known), then the components in order, each Ready before what refers to it starts. */
  async start(signal: AbortSignal): Promise<{ url: string }> {
    this.options.teardowns.push({ what: 'stop the local replicas and the Services', manual: 'golive recover', run: () => this.shutdown() });
    for (const c of this.system) {
      makeDirs(c.rs.dataDir);
      c.port = await c.service.listen(c === this.entry ? this.options.config.port : 0);
      this.addresses[c.rs.name] = `127.0.0.1:${c.port}`;
    }
    if (this.options.config.service.kind === 'ingress') this.reportRetries();
    for (const c of this.system) {
      c.rs.setEnv(resolveComponentRefs(c.rs.spec.env, this.addresses));
      for (let i = 0; i < c.rs.desired; i++) await c.rs.startReplica();
      await c.rs.waitReady(c.rs.spec.startTimeout, signal);
    }
    return { url: `http://127.0.0.1:${this.entry.port}` };
  }

  async waitReady(timeoutMs: number, signal: AbortSignal): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (const rs of this.replicaSets) await rs.waitReady(Math.max(0, deadline - Date.now()), signal);
  }

  components(): Promise<ComponentInfo[]> {
    return Promise.resolve(this.replicaSets.map((rs) => ({ name: rs.name, replicas: rs.desired, ...(rs.spec.zones ? { zones: rs.spec.zones } : {}) })));
  }

  async rollout(change: RolloutChange, timeoutMs: number, signal: AbortSignal, component?: string): Promise<void> {
    await rollout(this.component(component).rs, change, timeoutMs, signal);
  }

  nodes(which: 'hosting' | 'all'): Promise<string[]> {
    const hosting = new Set(this.replicaSets.flatMap((rs) => rs.alive().map((r) => r.spec.node)));
    return Promise.resolve(this.cluster.nodes.filter((n) => n.up && (which === 'all' || hosting.has(n.name))).map((n) => n.name));
  }

  drainNode(name: string, options: NodeDrainOptions, signal: AbortSignal): Promise<void> {
    return drainNode(this.replicaSets, this.cluster, this.options.hooks, name, options, signal);
  }

  zones(): Promise<ZoneInfo[]> {
    return Promise.resolve(zones(this.replicaSets, this.cluster));
  }

  failZone(zone: string, mode: ZoneOutageMode, signal: AbortSignal): Promise<void> {
    return failZone(this.replicaSets, this.cluster, this.options.hooks, zone, mode, signal);
  }

  waitZoneEvacuated(zone: string, timeoutMs: number, signal: AbortSignal): Promise<void> {
    // A component pinned to the lost zone has nowhere to go: it comes back with its zone, not before.
    const movable = this.replicaSets.filter((rs) => !rs.spec.zones || rs.spec.zones.some((z) => z !== zone));
    return waitZoneEvacuated(movable, zone, timeoutMs, signal);
  }

  restoreZone(zone: string): Promise<void> {
    restoreZone(this.replicaSets, this.cluster, zone);
    return Promise.resolve();
  }

  scale(replicas: number, signal: AbortSignal): Promise<void> {
    return scale(this.entry.rs, replicas, signal);
  }

  killReplicas(count: number): Promise<void> {
    return killReplicas(this.entry.rs, count);
  }

  async backup(signal: AbortSignal): Promise<string> {
    // A component's own dump first (a store's consistent snapshot of its files), then every data folder copied.
    for (const rs of this.replicaSets.filter((x) => x.spec.backup)) await this.options.hooks.run(rs.spec.backup!.run, rs.hookEnv(), signal, rs.appCwd);
    const id = backup(this.replicaSets, this.options.runDir);
    this.lastSnapshot = id;
    return id;
  }

  /**
   * Journalled with the snapshots that undo it, before the data is deleted: Ctrl-C puts the data back, and
   * `golive recover` does after a SIGKILL between destroy and restore.
   */
  destroy(): Promise<void> {
    if (this.lastSnapshot !== undefined) {
      const putBack: RunNow[] = [];
      for (const rs of this.replicaSets) {
        const { dataDir } = rs;
        const snapshot = snapshotPath(this.options.runDir, this.lastSnapshot, rs.name);
        const manual = `copy the snapshot back: rm -rf ${dataDir} && cp -a ${snapshot} ${dataDir}`;
        const entry = this.options.journal.record(`deleted the data in ${dataDir} (snapshot ${snapshot})`, manual, { kind: 'restore-data', dataDir, snapshot });
        putBack.push(
          this.options.teardowns.push({
            what: `put ${dataDir} back from ${snapshot}`,
            manual,
            entry,
            run: () => restoreDataDir(snapshot, dataDir, this.options.runId),
          }),
        );
      }
      this.putDataBack = async () => {
        for (const run of putBack) await run();
      };
    }
    return destroy(this.replicaSets, this.options.runId);
  }

  restore(backupId: string, signal: AbortSignal): Promise<void> {
    const fromSnapshot = (): Promise<void> => {
      for (const rs of this.replicaSets) restoreDataDir(snapshotPath(this.options.runDir, backupId, rs.name), rs.dataDir, this.options.runId);
      return Promise.resolve();
    };
    const putBack = this.putDataBack && this.lastSnapshot === backupId ? this.putDataBack : fromSnapshot;
    this.putDataBack = undefined;
    // A component's own restore runs once its data is back, before it starts.
    const thenRestoreDumps = async (): Promise<void> => {
      await putBack();
      for (const rs of this.replicaSets.filter((x) => x.spec.backup?.restore))
        await this.options.hooks.run(rs.spec.backup!.restore!, rs.hookEnv(), signal, rs.appCwd);
    };
    return restore(this.replicaSets, backupId, thenRestoreDumps, (rs) => rs.spec.startTimeout, signal);
  }

  reset(): Promise<void> {
    return reset(this.replicaSets, this.options.runId);
  }

  deployFromRepo(options: DeployOptions, signal: AbortSignal): Promise<void> {
    return deployFromRepo(
      this.replicaSets,
      { hooks: this.options.hooks, journal: this.options.journal, baseDir: this.options.baseDir, owned: this.owned, buildCwd: this.entry.rs },
      options,
      signal,
    );
  }

  sampleCapacity(signal: AbortSignal, now: () => number): { stop(): Promise<CapacityReport> } {
    return startUsageSampling(
      this.system.map((c) => ({ rs: c.rs, service: c.service })),
      now,
      signal,
    );
  }

  placement(): Promise<Placement> {
    return Promise.resolve(placementOf(this.replicaSets, this.cluster.zones()));
  }

  async restoreSteadyState(signal: AbortSignal): Promise<void> {
    for (const rs of this.replicaSets) {
      const key = rs.spec.spread === 'nodes' ? 'name' : 'zone';
      const allowed = (zone: string): boolean => !rs.spec.zones || rs.spec.zones.includes(zone);
      await restoreSteadyState(rs, () => [...new Set(this.cluster.nodes.filter((n) => n.up && n.schedulable && allowed(n.zone)).map((n) => n[key]))], signal);
    }
  }

  auditSources(): Pick<AuditSources, 'local'> {
    return { local: { platform: this.options.config, file: this.options.configSource.file, lineOf: this.options.configSource.lineOf } };
  }

  /** Each second the ingress retried requests, the timeline says how many: through an ingress a rollout shows fewer errors. */
  private reportRetries(): void {
    let seen = 0;
    this.retriesTimer = setInterval(() => {
      if (this.entry.service.retried === seen) return;
      this.sink(
        'ingress.retry',
        `the ingress retried ${this.entry.service.retried - seen} request(s) on the next replica (${this.entry.service.retried} in all)`,
      );
      seen = this.entry.service.retried;
    }, 1000);
    this.retriesTimer.unref();
  }

  /** Every replica stopped, the clones deleted, the Services closed; throws naming what is left behind. */
  private async shutdown(): Promise<void> {
    clearInterval(this.retriesTimer);
    const failures = (await Promise.all(this.replicaSets.map((rs) => rs.shutdown()))).flat();
    for (const { dir, entry } of this.owned) {
      try {
        removeOwnedTempDir(dir, this.options.journal.runId);
        this.options.journal.markUndone(entry);
      } catch (err) {
        failures.push(`could not delete ${dir}: ${(err as Error).message}`);
      }
    }
    for (const c of this.system) await c.service.close();
    if (failures.length > 0) throw new Error(failures.join('; '));
  }
}

/** A component's data folder: its own `dataDir`, or one in the run's folder (`data`, or `data-<name>` beside others). */
function dataDirOf(options: LocalPlatformOptions, name: string, spec: ResolvedComponent): string {
  if (spec.dataDir !== undefined) return path.resolve(options.baseDir, spec.dataDir);
  const several = Object.keys(options.config.components).length > 1;
  return path.join(options.runDir, several ? `data-${name}` : 'data');
}

/** `{{components.NAME.url|host|port}}` resolved to the Services' addresses. */
function resolveComponentRefs(env: Record<string, string>, addresses: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).map(([k, v]) => [
      k,
      v.replace(/\{\{\s*components\.([^.\s}]+)\.(url|host|port)\s*\}\}/g, (_m, name: string, part: string) => {
        const address = addresses[name]!;
        return part === 'url' ? `http://${address}` : part === 'host' ? address.split(':')[0]! : address.split(':')[1]!;
      }),
    ]),
  );
}
