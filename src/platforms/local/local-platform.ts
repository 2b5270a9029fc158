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
import type { ResolvedLocalPlatform } from './schema.js';

/** The one component of `platform.app`. */
const APP = 'app';

export interface LocalPlatformOptions extends PlatformServices {
  config: ResolvedLocalPlatform;
  /** Where the config came from, for the audit's findings (file and line). */
  configSource: { file: string | undefined; lineOf: (path: string) => number | undefined };
}

export class LocalPlatform implements Platform {
  readonly info: PlatformInfo;
  private readonly cluster: SimCluster;
  private readonly proxy: LocalService;
  private retriesTimer: NodeJS.Timeout | undefined;
  private readonly rs: ReplicaSet;
  private readonly owned: OwnedDir[] = [];
  /** The newest snapshot (disaster-recovery's backup), and how to put it back once the data is destroyed. */
  private lastSnapshot: string | undefined;
  private putDataBack: RunNow | undefined;
  private sink: EventSink = () => undefined;

  constructor(private readonly options: LocalPlatformOptions) {
    const { app, cluster, service } = options.config;
    this.proxy = service.kind === 'ingress' ? new IngressProxy(service.retries) : new ServiceProxy();
    this.cluster = new SimCluster(cluster.nodes, cluster.zones);
    this.rs = new ReplicaSet({
      config: options.config,
      cluster: this.cluster,
      proxy: this.proxy,
      journal: options.journal,
      runDir: options.runDir,
      runId: options.runId,
      appCwd: path.resolve(options.baseDir, app.cwd ?? '.'),
      dataDir: path.resolve(options.baseDir, app.dataDir ?? path.join(options.runDir, 'data')),
      sink: () => this.sink,
    });
    this.info = {
      kind: 'local',
      description: `local: ${app.replicas} × "${app.command}" on ${cluster.nodes} nodes in ${cluster.zones} zones (spread: ${app.spread}) behind ${service.kind === 'ingress' ? `an ingress (each request balanced, ${service.retries} retry)` : 'a Service (each connection pinned to a replica, as kube-proxy)'}`,
    };
  }

  setEventSink(sink: EventSink): void {
    this.sink = sink;
  }

  async start(signal: AbortSignal): Promise<{ url: string }> {
    this.options.teardowns.push({ what: 'stop the local replicas and the Service', manual: 'golive recover', run: () => this.shutdown() });
    makeDirs(this.rs.dataDir);
    const port = await this.proxy.listen(this.options.config.port);
    if (this.options.config.service.kind === 'ingress') this.reportRetries();
    for (let i = 0; i < this.rs.desired; i++) await this.rs.startReplica();
    await this.rs.waitReady(this.options.config.app.startTimeout, signal);
    return { url: `http://127.0.0.1:${port}` };
  }

  waitReady(timeoutMs: number, signal: AbortSignal): Promise<void> {
    return this.rs.waitReady(timeoutMs, signal);
  }

  components(): Promise<ComponentInfo[]> {
    return Promise.resolve([{ name: APP, replicas: this.rs.desired }]);
  }

  rollout(change: RolloutChange, timeoutMs: number, signal: AbortSignal, component?: string): Promise<void> {
    if (component !== undefined && component !== APP)
      return Promise.reject(new GoliveError('GOLIVE_USAGE', `no component "${component}": the local platform runs ${APP}`));
    return rollout(this.rs, change, timeoutMs, signal);
  }

  nodes(which: 'hosting' | 'all'): Promise<string[]> {
    const hosting = new Set(this.rs.alive().map((r) => r.spec.node));
    return Promise.resolve(this.cluster.nodes.filter((n) => n.up && (which === 'all' || hosting.has(n.name))).map((n) => n.name));
  }

  drainNode(name: string, options: NodeDrainOptions, signal: AbortSignal): Promise<void> {
    return drainNode(this.rs, this.cluster, this.options.hooks, name, options, signal);
  }

  zones(): Promise<ZoneInfo[]> {
    return Promise.resolve(zones(this.rs, this.cluster));
  }

  failZone(zone: string, mode: ZoneOutageMode, signal: AbortSignal): Promise<void> {
    return failZone(this.rs, this.cluster, this.options.hooks, zone, mode, signal);
  }

  waitZoneEvacuated(zone: string, timeoutMs: number, signal: AbortSignal): Promise<void> {
    return waitZoneEvacuated(this.rs, zone, timeoutMs, signal);
  }

  restoreZone(zone: string): Promise<void> {
    restoreZone(this.rs, this.cluster, zone);
    return Promise.resolve();
  }

  scale(replicas: number, signal: AbortSignal): Promise<void> {
    return scale(this.rs, replicas, signal);
  }

  killReplicas(count: number): Promise<void> {
    return killReplicas(this.rs, count);
  }

  backup(): Promise<string> {
    const id = backup(this.rs, this.options.runDir);
    this.lastSnapshot = id;
    return Promise.resolve(id);
  }

  /**
   * Journalled with the snapshot that undoes it, before the data is deleted: Ctrl-C puts the data back, and
   * `golive recover` does after a SIGKILL between destroy and restore.
   */
  destroy(): Promise<void> {
    const { dataDir } = this.rs;
    if (this.lastSnapshot !== undefined) {
      const snapshot = snapshotPath(this.options.runDir, this.lastSnapshot);
      const manual = `copy the snapshot back: rm -rf ${dataDir} && cp -a ${snapshot} ${dataDir}`;
      const entry = this.options.journal.record(`deleted the data in ${dataDir} (snapshot ${snapshot})`, manual, { kind: 'restore-data', dataDir, snapshot });
      this.putDataBack = this.options.teardowns.push({
        what: `put ${dataDir} back from ${snapshot}`,
        manual,
        entry,
        run: () => restoreDataDir(snapshot, dataDir, this.options.runId),
      });
    }
    return destroy(this.rs, this.options.runId);
  }

  restore(backupId: string): Promise<void> {
    const snapshot = snapshotPath(this.options.runDir, backupId);
    const putBack =
      this.putDataBack && this.lastSnapshot === backupId
        ? this.putDataBack
        : () => Promise.resolve(restoreDataDir(snapshot, this.rs.dataDir, this.options.runId));
    this.putDataBack = undefined;
    return restore(this.rs, backupId, putBack);
  }

  reset(): Promise<void> {
    return reset(this.rs, this.options.runId);
  }

  deployFromRepo(options: DeployOptions, signal: AbortSignal): Promise<void> {
    return deployFromRepo(
      this.rs,
      { hooks: this.options.hooks, journal: this.options.journal, baseDir: this.options.baseDir, owned: this.owned },
      options,
      signal,
    );
  }

  sampleCapacity(signal: AbortSignal, now: () => number): { stop(): Promise<CapacityReport> } {
    return startUsageSampling(this.rs, this.proxy, now, signal);
  }

  placement(): Promise<Placement> {
    return Promise.resolve(placementOf(this.rs, this.cluster.zones()));
  }

  restoreSteadyState(signal: AbortSignal): Promise<void> {
    const key = this.options.config.app.spread === 'nodes' ? 'name' : 'zone';
    return restoreSteadyState(this.rs, () => [...new Set(this.cluster.nodes.filter((n) => n.up && n.schedulable).map((n) => n[key]))], signal);
  }

  auditSources(): Pick<AuditSources, 'local'> {
    return { local: { platform: this.options.config, file: this.options.configSource.file, lineOf: this.options.configSource.lineOf } };
  }

  /** Each second the ingress retried requests, the timeline says how many: through an ingress a rollout shows fewer errors. */
  private reportRetries(): void {
    let seen = 0;
    this.retriesTimer = setInterval(() => {
      if (this.proxy.retried === seen) return;
      this.sink('ingress.retry', `the ingress retried ${this.proxy.retried - seen} request(s) on the next replica (${this.proxy.retried} in all)`);
      seen = this.proxy.retried;
    }, 1000);
    this.retriesTimer.unref();
  }

  /** Every replica stopped, the clones deleted, the Service closed; throws naming what is left behind. */
  private async shutdown(): Promise<void> {
    clearInterval(this.retriesTimer);
    const failures = await this.rs.shutdown();
    for (const { dir, entry } of this.owned) {
      try {
        removeOwnedTempDir(dir, this.options.journal.runId);
        this.options.journal.markUndone(entry);
      } catch (err) {
        failures.push(`could not delete ${dir}: ${(err as Error).message}`);
      }
    }
    await this.proxy.close();
    if (failures.length > 0) throw new Error(failures.join('; '));
  }
}
