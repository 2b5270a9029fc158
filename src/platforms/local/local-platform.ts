/**
 * The `local` platform: golive supervises the application as processes on a simulated cluster (nodes in
 * zones), behind a front proxy that routes only to ready replicas. It plays the roles of the Deployment
 * controller, the scheduler, the kubelet's readiness probe, the Service and the node lifecycle, so every
 * drill runs on a laptop or in CI without a cluster.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GoliveError } from '../../errors.js';
import type { Journal, JournalEntry } from '../../safety/journal.js';
import type {
  EventSink, HookRunner, NodeDrainOptions, Platform, PlatformInfo, RolloutChange, ZoneInfo, ZoneOutageMode,
} from '../platform.js';
import { SimCluster, type SimNode } from './cluster.js';
import { FrontProxy } from './front-proxy.js';
import { Replica, type ReplicaState } from './replica.js';
import type { ResolvedLocalPlatform } from './schema.js';

const POLL_MS = 20;

export interface LocalPlatformOptions {
  config: ResolvedLocalPlatform;
  /** Folder relative paths in the config are resolved against. */
  baseDir: string;
  /** The run's folder: replica logs and snapshots go there. */
  runDir: string;
  runId: string;
  journal: Journal;
  hooks: HookRunner;
}

export class LocalPlatform implements Platform {
  readonly info: PlatformInfo;
  private readonly config: ResolvedLocalPlatform;
  private readonly cluster: SimCluster;
  private readonly proxy = new FrontProxy();
  private readonly replicas: Replica[] = [];
  private readonly journalOf = new Map<Replica, JournalEntry>();
  private readonly tempDirs: JournalEntry[] = [];
  private sink: EventSink = () => undefined;
  private revision = 1;
  private desired: number;
  private counter = 0;
  private extraEnv: Record<string, string> = {};
  private appCwd: string;
  private readonly dataDir: string;
  /** While false, exited replicas are not replaced (a rollout, a destroy, or a zone loss not yet detected). */
  private controllerActive = true;
  private stopped = false;
  /** Replicas of a lost zone: dead, but still in rotation until the loss is detected, as endpoints are. */
  private readonly unnoticed = new Set<Replica>();

  constructor(private readonly options: LocalPlatformOptions) {
    this.config = options.config;
    const { app, cluster } = this.config;
    this.cluster = new SimCluster(cluster.nodes, cluster.zones);
    this.desired = app.replicas;
    this.appCwd = path.resolve(options.baseDir, app.cwd ?? '.');
    this.dataDir = path.resolve(options.baseDir, app.dataDir ?? path.join(options.runDir, 'data'));
    this.info = {
      kind: 'local',
      description: `local: ${app.replicas} × "${app.command}" on ${cluster.nodes} nodes in ${cluster.zones} zones (spread: ${app.spread})`,
    };
  }

  setEventSink(sink: EventSink): void {
    this.sink = sink;
  }

  async start(signal: AbortSignal): Promise<{ url: string }> {
    mkdirSync(this.dataDir, { recursive: true });
    const port = await this.proxy.listen(this.config.port);
    for (let i = 0; i < this.desired; i++) await this.startReplica();
    await this.waitReady(this.config.app.startTimeout, signal);
    return { url: `http://127.0.0.1:${port}` };
  }

  async waitReady(timeoutMs: number, signal: AbortSignal): Promise<void> {
    await this.until(() => this.current().filter((r) => r.state === 'ready').length >= this.desired && this.old().length === 0,
      timeoutMs, signal, () => `${this.desired} ready replicas (have ${this.readyCount()})`);
  }

  // ── app-update ────────────────────────────────────────────────────────────────────────────────────────

  async rollout(change: RolloutChange, timeoutMs: number, signal: AbortSignal): Promise<void> {
    switch (change.kind) {
      case 'restart': break;
      case 'env': this.extraEnv = { ...this.extraEnv, [change.name]: change.value }; break;
      case 'image': throw new GoliveError('GOLIVE_USAGE', "the local platform runs a command, not an image: use change: { kind: 'restart' } or { kind: 'env', ... }");
      case 'run': throw new GoliveError('GOLIVE_USAGE', 'the local platform cannot run a deploy command: use restart or env');
    }
    this.revision++;
    const strategy = this.config.app.strategy;
    this.sink('rollout.started', `revision ${this.revision} (${strategy.type}${strategy.type === 'RollingUpdate' ? `, maxSurge ${strategy.maxSurge}, maxUnavailable ${strategy.maxUnavailable}` : ''})`);
    this.controllerActive = false;
    try {
      const deadline = Date.now() + timeoutMs;
      if (strategy.type === 'Recreate') {
        await Promise.all(this.old().map((r) => r.terminate(this.config.app.terminationGrace)));
        for (let i = 0; i < this.desired; i++) await this.startReplica();
      } else {
        await this.rollingUpdate(strategy.maxSurge, strategy.maxUnavailable, deadline, signal);
      }
      await this.waitReady(Math.max(0, deadline - Date.now()), signal);
    } finally {
      this.controllerActive = true;
    }
    this.sink('rollout.completed', `revision ${this.revision}: ${this.readyCount()} ready`);
  }

  private async rollingUpdate(maxSurge: number, maxUnavailable: number, deadline: number, signal: AbortSignal): Promise<void> {
    for (;;) {
      if (signal.aborted) throw new Error('interrupted');
      if (Date.now() > deadline) throw new GoliveError('GOLIVE_PLATFORM_FAILED', `rollout did not complete in time: ${this.readyCount()} ready, ${this.old().length} old replicas left`);
      // Terminating replicas are on their way out: like Kubernetes, surge counts only the others.
      const old = this.old().filter((r) => r.state !== 'terminating');
      const fresh = this.current();
      if (this.old().length === 0 && fresh.filter((r) => r.state === 'ready').length >= this.desired) return;
      const toStart = Math.min(this.desired - fresh.length, this.desired + maxSurge - (old.length + fresh.length));
      for (let i = 0; i < toStart; i++) await this.startReplica();
      let canRemove = this.alive().filter((r) => r.state === 'ready').length - (this.desired - maxUnavailable);
      for (const r of this.removalOrder(old)) {
        const wasReady = r.state === 'ready';
        if (wasReady && canRemove <= 0) break;
        if (wasReady) canRemove--;
        void r.terminate(this.config.app.terminationGrace);
      }
      await sleep(POLL_MS);
    }
  }

  // ── node-drain ────────────────────────────────────────────────────────────────────────────────────────

  nodes(which: 'hosting' | 'all'): Promise<string[]> {
    const hosting = new Set(this.alive().map((r) => r.spec.node));
    return Promise.resolve(this.cluster.nodes.filter((n) => n.up && (which === 'all' || hosting.has(n.name))).map((n) => n.name));
  }

  async drainNode(name: string, options: NodeDrainOptions, signal: AbortSignal): Promise<void> {
    const node = this.cluster.node(name);
    const deadline = Date.now() + options.timeoutMs;
    node.schedulable = false;
    this.sink('node.cordoned', 'cordoned: no new replicas', name);
    try {
      const budget = this.config.app.disruptionBudget?.minAvailable;
      for (const victim of this.alive().filter((r) => r.spec.node === name && r.state !== 'terminating')) {
        if (budget !== undefined && this.readyCount() - 1 < budget) {
          this.sink('eviction.blocked', `evicting ${victim.spec.id} would leave fewer than minAvailable=${budget} ready: starting its replacement first`, victim.spec.id);
          const replacement = await this.startReplica();
          await this.until(() => replacement.state === 'ready', Math.max(0, deadline - Date.now()), signal, () => `replacement ${replacement.spec.id} ready before evicting ${victim.spec.id}`);
          this.sink('eviction', `evicting ${victim.spec.id}`, victim.spec.id);
          await victim.terminate(this.config.app.terminationGrace);
        } else {
          this.sink('eviction', `evicting ${victim.spec.id}`, victim.spec.id);
          const gone = victim.terminate(this.config.app.terminationGrace);
          await this.startReplica(); // the controller replaces the evicted replica right away
          await gone;
        }
      }
      await this.waitReady(Math.max(0, deadline - Date.now()), signal);
      await this.reboot(node, options, signal);
    } finally {
      node.schedulable = true;
      node.up = true;
      this.sink('node.uncordoned', 'uncordoned', name);
    }
  }

  private async reboot(node: SimNode, options: NodeDrainOptions, signal: AbortSignal): Promise<void> {
    const reboot = options.reboot;
    if (!reboot) return;
    if ('delayMs' in reboot) {
      node.up = false;
      this.sink('node.down', `rebooting (${reboot.delayMs} ms)`, node.name);
      await sleep(reboot.delayMs, signal);
    } else if ('run' in reboot) {
      this.sink('node.reboot', `running reboot hook: ${reboot.run}`, node.name);
      await this.options.hooks.run(reboot.run, { GOLIVE_NODE: node.name, GOLIVE_ZONE: node.zone }, signal);
    } else {
      await this.options.hooks.manual(reboot.manual.replaceAll('$GOLIVE_NODE', node.name), signal);
    }
    node.up = true;
    this.sink('node.ready', 'back up and Ready', node.name);
  }

  // ── zone-outage ───────────────────────────────────────────────────────────────────────────────────────

  zones(): Promise<ZoneInfo[]> {
    return Promise.resolve(this.cluster.zones().map((zone) => {
      const nodes = this.cluster.nodes.filter((n) => n.zone === zone).map((n) => n.name);
      return { zone, nodes, replicas: this.alive().filter((r) => nodes.includes(r.spec.node)).length };
    }));
  }

  async failZone(zone: string, mode: ZoneOutageMode, signal: AbortSignal): Promise<void> {
    if (mode.kind === 'run') {
      this.sink('zone.hook', `running zone hook: ${mode.command}`, zone);
      await this.options.hooks.run(mode.command, { GOLIVE_ZONE: zone }, signal);
    }
    const nodes = this.cluster.nodes.filter((n) => n.zone === zone);
    if (nodes.length === 0) throw new GoliveError('GOLIVE_USAGE', `no zone "${zone}" (zones: ${this.cluster.zones().join(', ')})`);
    this.controllerActive = false; // nobody notices the loss until the detection delay has passed
    for (const n of nodes) { n.up = false; n.schedulable = false; }
    const victims = this.alive().filter((r) => nodes.some((n) => n.name === r.spec.node));
    for (const v of victims) if (v.state === 'ready') this.unnoticed.add(v);
    this.sink('zone.lost', `${zone} lost: ${nodes.length} node(s) down, ${victims.length} replica(s) killed at once`, zone);
    await Promise.all(victims.map((r) => r.kill()));
    const delay = this.config.cluster.detectionDelay;
    setTimeout(() => {
      if (this.stopped) return;
      this.sink('zone.detected', `loss of ${zone} detected after ${delay} ms: its replicas leave rotation and are replaced in the other zones`, zone);
      this.unnoticed.clear();
      this.updateRotation();
      this.controllerActive = true;
      void this.reconcile();
    }, delay);
  }

  async waitZoneEvacuated(zone: string, timeoutMs: number, signal: AbortSignal): Promise<void> {
    await this.until(() => this.unnoticed.size === 0 && !this.alive().some((r) => r.spec.zone === zone), timeoutMs, signal, () => `the replicas of ${zone} to be replaced`);
  }

  restoreZone(zone: string): Promise<void> {
    for (const n of this.cluster.nodes.filter((x) => x.zone === zone)) { n.up = true; n.schedulable = true; }
    this.sink('zone.restored', `${zone} back: its nodes are Ready`, zone);
    return Promise.resolve();
  }

  // ── scale and kill ────────────────────────────────────────────────────────────────────────────────────

  async scale(replicas: number, signal: AbortSignal): Promise<void> {
    this.sink('scale', `${this.desired} → ${replicas} replicas`);
    this.desired = replicas;
    const extra = this.current().slice(replicas);
    await Promise.all(extra.map((r) => r.terminate(this.config.app.terminationGrace)));
    await this.reconcile();
    await this.waitReady(this.config.app.startTimeout, signal);
  }

  async killReplicas(count: number): Promise<void> {
    const victims = this.alive().filter((r) => r.state !== 'terminating').slice(0, count);
    this.sink('replicas.killed', `SIGKILL to ${victims.map((r) => r.spec.id).join(', ')}`);
    await Promise.all(victims.map((r) => r.kill()));
    await this.reconcile(); // crashed replicas are replaced, as a ReplicaSet would
  }

  // ── disaster-recovery ─────────────────────────────────────────────────────────────────────────────────

  backup(): Promise<string> {
    const id = `snapshot-${Date.now()}`;
    const to = path.join(this.options.runDir, 'snapshots', id);
    // A copy of the data folder while the app runs, as a volume snapshot is: what was on disk at that moment.
    cpSync(this.dataDir, to, { recursive: true });
    this.sink('backup.completed', `snapshot of ${this.dataDir} → ${path.relative(this.options.runDir, to)}`, id);
    return Promise.resolve(id);
  }

  async destroy(): Promise<void> {
    this.controllerActive = false;
    const victims = this.alive();
    this.sink('destroy', `killing ${victims.length} replica(s) and deleting ${this.dataDir}`);
    await Promise.all(victims.map((r) => r.kill()));
    rmSync(this.dataDir, { recursive: true, force: true });
    mkdirSync(this.dataDir, { recursive: true });
  }

  async restore(backupId: string): Promise<void> {
    const from = path.join(this.options.runDir, 'snapshots', backupId);
    if (!existsSync(from)) throw new GoliveError('GOLIVE_PLATFORM_FAILED', `no snapshot ${backupId}`);
    rmSync(this.dataDir, { recursive: true, force: true });
    cpSync(from, this.dataDir, { recursive: true });
    this.sink('restore.started', `data restored from ${backupId}; starting ${this.desired} replica(s)`, backupId);
    this.controllerActive = true;
    await this.reconcile();
  }

  // ── redeploy ──────────────────────────────────────────────────────────────────────────────────────────

  async reset(): Promise<void> {
    this.controllerActive = false;
    const victims = this.alive();
    await Promise.all(victims.map((r) => r.kill()));
    rmSync(this.dataDir, { recursive: true, force: true });
    mkdirSync(this.dataDir, { recursive: true });
    this.sink('reset', `environment empty: ${victims.length} replica(s) stopped, data deleted`);
  }

  async deployFromRepo(options: { repo: string; build?: string | undefined }, signal: AbortSignal): Promise<void> {
    const repo = path.resolve(this.options.baseDir, options.repo);
    const top = (await capture('git', ['-C', repo, 'rev-parse', '--show-toplevel'], repo)).trim();
    const clone = mkdtempSync(path.join(tmpdir(), 'golive-redeploy-'));
    this.tempDirs.push(this.options.journal.record(`cloned ${top} at HEAD into ${clone}`, `rm -rf ${clone}`, { kind: 'temp-dir', path: clone }));
    this.sink('deploy.clone', `git clone ${top} (HEAD: committed files only) → ${clone}`);
    await capture('git', ['clone', '--quiet', '--no-hardlinks', top, clone], tmpdir());
    const relative = path.relative(top, this.appCwd);
    if (relative.startsWith('..')) throw new GoliveError('GOLIVE_USAGE', `platform.app.cwd ${this.appCwd} is outside the repository ${top}`);
    this.appCwd = path.join(clone, relative);
    if (!existsSync(this.appCwd)) throw new GoliveError('GOLIVE_PLATFORM_FAILED', `${relative || '.'} is not in the repository at HEAD: is it committed?`);
    if (options.build) {
      this.sink('deploy.build', `running build: ${options.build}`);
      await this.options.hooks.run(options.build, { GOLIVE_DEPLOY_DIR: clone }, signal, this.appCwd);
    }
    this.sink('deploy.start', `starting ${this.desired} replica(s) from the clone`);
    this.controllerActive = true;
    await this.reconcile();
  }

  // ── lifecycle ─────────────────────────────────────────────────────────────────────────────────────────

  async stop(): Promise<string[]> {
    this.stopped = true;
    this.controllerActive = false;
    const failures: string[] = [];
    const grace = Math.min(this.config.app.terminationGrace, 3000);
    await Promise.all(this.alive().map((r) => r.terminate(grace)));
    for (const [replica, entry] of this.journalOf) {
      if (replica.alive) failures.push(`replica ${replica.spec.id} (process group ${replica.pid}) is still running: kill -9 -${replica.pid}`);
      else this.options.journal.markUndone(entry);
    }
    for (const entry of this.tempDirs) {
      if (entry.action.kind !== 'temp-dir') continue;
      try {
        rmSync(entry.action.path, { recursive: true, force: true });
        this.options.journal.markUndone(entry);
      } catch (err) {
        failures.push(`could not delete ${entry.action.path}: ${(err as Error).message}`);
      }
    }
    await this.proxy.close();
    return failures;
  }

  // ── internals ─────────────────────────────────────────────────────────────────────────────────────────

  private alive(): Replica[] {
    return this.replicas.filter((r) => r.alive);
  }

  /** Live replicas of the current revision, not terminating. */
  private current(): Replica[] {
    return this.alive().filter((r) => r.spec.revision === this.revision && r.state !== 'terminating');
  }

  /** Live replicas of older revisions (terminating included: they still serve what they have). */
  private old(): Replica[] {
    return this.alive().filter((r) => r.spec.revision !== this.revision);
  }

  /**
   * Which replicas to remove first, as the ReplicaSet controller ranks them: not ready before ready, then
   * those in the most crowded zone and node, so removals keep the spread.
   */
  private removalOrder(candidates: Replica[]): Replica[] {
    const running = this.alive().filter((r) => r.state !== 'terminating');
    const inZone = (r: Replica): number => running.filter((x) => x.spec.zone === r.spec.zone).length;
    const onNode = (r: Replica): number => running.filter((x) => x.spec.node === r.spec.node).length;
    return [...candidates].sort((a, b) =>
      Number(a.state === 'ready') - Number(b.state === 'ready') || inZone(b) - inZone(a) || onNode(b) - onNode(a));
  }

  private readyCount(): number {
    return this.alive().filter((r) => r.state === 'ready').length;
  }

  /** The Deployment controller: start replicas until the current revision has `desired` of them. */
  private async reconcile(): Promise<void> {
    if (!this.controllerActive || this.stopped) return;
    const missing = this.desired - this.current().length;
    for (let i = 0; i < missing; i++) {
      if (!(await this.startReplica(true))) break;
    }
  }

  private async startReplica(): Promise<Replica>;
  private async startReplica(optional: true): Promise<Replica | undefined>;
  private async startReplica(optional = false): Promise<Replica | undefined> {
    // Spread counts the current revision first (as topology spread with matchLabelKeys: pod-template-hash
    // does), so a rolling update ends as evenly spread as it began; every replica breaks ties.
    const running = this.alive().filter((r) => r.state !== 'terminating');
    const load = (n: string): number => running.filter((r) => r.spec.node === n).reduce((sum, r) => sum + (r.spec.revision === this.revision ? 1000 : 1), 0);
    const node = this.cluster.pick(load, this.config.app.spread);
    if (!node) {
      this.sink('replica.pending', 'no schedulable node: the replica stays pending');
      if (optional) return undefined;
      throw new GoliveError('GOLIVE_PLATFORM_FAILED', 'no schedulable node for a new replica');
    }
    const port = await freePort();
    const id = `app-r${this.revision}-${++this.counter}`;
    const { app } = this.config;
    const env: Record<string, string> = {
      ...app.env,
      ...this.extraEnv,
      PORT: String(port),
      GOLIVE_REPLICA: id,
      GOLIVE_NODE: node.name,
      GOLIVE_ZONE: node.zone,
      GOLIVE_REVISION: String(this.revision),
      GOLIVE_DATA_DIR: this.dataDir,
      GOLIVE_RUN_ID: this.options.runId,
    };
    const entry = this.options.journal.record(`started replica ${id}: ${app.command}`, 'kill its process group', { kind: 'process-group', pgid: 0, command: app.command });
    const replica = new Replica({
      id, command: app.command, cwd: this.appCwd, env, port, node: node.name, zone: node.zone, revision: this.revision,
      logFile: this.config.cluster.keepLogs ? path.join(this.options.runDir, `replica-${id}.log`) : '/dev/null',
      readiness: { path: app.readiness.path, periodMs: app.readiness.period, failureThreshold: app.readiness.failureThreshold },
    }, { onState: (r, state, detail) => this.onState(r, state, detail) });
    this.options.journal.update(entry, { kind: 'process-group', pgid: replica.pid, command: app.command });
    this.journalOf.set(replica, entry);
    this.replicas.push(replica);
    this.sink('replica.starting', `starting on ${node.name} (${node.zone}), revision ${this.revision}`, id);
    return replica;
  }

  private updateRotation(): void {
    const inRotation = [...this.alive().filter((r) => r.state === 'ready'), ...this.unnoticed];
    this.proxy.setUpstreams(inRotation.map((r) => ({ id: r.spec.id, port: r.spec.port })));
  }

  private onState(replica: Replica, state: ReplicaState, detail: string): void {
    this.updateRotation();
    this.sink(`replica.${state}`, detail, replica.spec.id);
    if (state === 'exited') {
      const entry = this.journalOf.get(replica);
      if (entry) this.options.journal.markUndone(entry);
      // A crash (not a termination golive asked for) is replaced, as a ReplicaSet would.
      if (detail.endsWith('unexpectedly')) setTimeout(() => void this.reconcile(), 100);
    }
  }

  private async until(done: () => boolean, timeoutMs: number, signal: AbortSignal, what: () => string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      if (signal.aborted) throw new Error('interrupted');
      if (Date.now() > deadline) throw new GoliveError('GOLIVE_PLATFORM_FAILED', `timed out after ${timeoutMs} ms waiting for ${what()}`);
      await sleep(POLL_MS);
    }
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) { reject(new Error('interrupted')); return; }
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => { clearTimeout(t); reject(new Error('interrupted')); }, { once: true });
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

function capture(cmd: string, args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    child.on('error', (e) => reject(new GoliveError('GOLIVE_PLATFORM_FAILED', `${cmd} failed to start: ${e.message}`)));
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new GoliveError('GOLIVE_PLATFORM_FAILED', `${cmd} ${args.join(' ')} failed (${code}): ${err.trim()}`))));
  });
}
