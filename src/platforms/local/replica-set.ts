/**
 * The local platform's controllers: the Deployment/ReplicaSet controller (reconcile to the desired count,
 * rolling updates, replace crashed replicas), the scheduler (spread over nodes and zones) and the
 * endpoints controller (ready replicas in the Service's rotation). Drills pause the controller while they
 * do what Kubernetes would not replace at once (a Recreate, a destroy, a zone loss not yet detected).
 */
import net from 'node:net';
import path from 'node:path';
import { sleep } from '../../abortable.js';
import { GoliveError, InterruptedError } from '../../errors.js';
import type { EventSink } from '../../model/events.js';
import type { Journal, JournalEntry } from '../../safety/journal.js';
import { pollUntil } from '../shared/poll.js';
import type { SimCluster } from './cluster.js';
import type { LocalService } from './ingress-proxy.js';
import { Replica, type ReplicaState } from './replica.js';
import type { ResolvedComponent, ResolvedLocalPlatform } from './schema.js';

export const POLL_MS = 20;
const INITIAL_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 10_000;
/** A replica that ran this long before it crashed resets the back-off. */
const STABLE_MS = 10_000;

/** Why the controller does not replace missing replicas now. */
export type PauseReason = 'rollout' | 'zone-loss' | 'destroyed' | 'reset' | 'stopped';

export interface ReplicaSetOptions {
  /** The component's name (its replicas are named after it) and its config. */
  name: string;
  spec: ResolvedComponent;
  clusterConfig: ResolvedLocalPlatform['cluster'];
  cluster: SimCluster;
  proxy: LocalService;
  journal: Journal;
  runDir: string;
  runId: string;
  appCwd: string;
  dataDir: string;
  /** The component's env with its references to other components resolved. */
  env: Record<string, string>;
  sink: () => EventSink;
}

export class ReplicaSet {
  readonly replicas: Replica[] = [];
  private readonly journalOf = new Map<Replica, JournalEntry>();
  private readonly paused = new Set<PauseReason>();
  /** Replicas of a lost zone: dead, but still in rotation until the loss is detected, as endpoints are. */
  readonly unnoticed = new Set<Replica>();
  revision = 1;
  desired: number;
  appCwd: string;
  extraEnv: Record<string, string> = {};
  private counter = 0;
  /** Crashes so far, and the back-off before the next replacement (as the kubelet's CrashLoopBackOff, faster). */
  private crashes = 0;
  private backoffMs = INITIAL_BACKOFF_MS;
  private lastCrash: Replica | undefined;

  constructor(private readonly o: ReplicaSetOptions) {
    this.desired = o.spec.replicas;
    this.appCwd = o.appCwd;
  }

  get name(): string {
    return this.o.name;
  }

  /** What a component's own hook (its backup dump) runs with: a ready replica's port, the data folder, the references resolved. */
  hookEnv(): Record<string, string> {
    const replica = this.alive().find((r) => r.state === 'ready') ?? this.alive()[0];
    return {
      ...this.spec.env,
      ...this.o.env,
      GOLIVE_COMPONENT: this.name,
      GOLIVE_DATA_DIR: this.dataDir,
      ...(replica ? { PORT: String(replica.spec.port), GOLIVE_REPLICA: replica.spec.id } : {}),
    };
  }

  /** The component's env with the other components' addresses filled in, known once their Services listen. */
  setEnv(env: Record<string, string>): void {
    this.o.env = env;
  }

  /** The component's config. */
  get spec(): ResolvedComponent {
    return this.o.spec;
  }

  get clusterConfig(): ResolvedLocalPlatform['cluster'] {
    return this.o.clusterConfig;
  }

  get dataDir(): string {
    return this.o.dataDir;
  }

  sink(...args: Parameters<EventSink>): void {
    this.o.sink()(...args);
  }

  get stopped(): boolean {
    return this.paused.has('stopped');
  }

  pause(reason: PauseReason): void {
    this.paused.add(reason);
  }

  /** Lifts one reason to pause; when none is left, missing replicas are started. */
  async resume(reason: PauseReason): Promise<void> {
    this.paused.delete(reason);
    await this.reconcile();
  }

  alive(): Replica[] {
    return this.replicas.filter((r) => r.alive);
  }

  /** Live replicas of the current revision, not terminating. */
  current(): Replica[] {
    return this.alive().filter((r) => r.spec.revision === this.revision && r.state !== 'terminating');
  }

  /** Live replicas of older revisions (terminating included: they still serve what they have). */
  old(): Replica[] {
    return this.alive().filter((r) => r.spec.revision !== this.revision);
  }

  readyCount(): number {
    return this.alive().filter((r) => r.state === 'ready').length;
  }

  async waitReady(timeoutMs: number, signal: AbortSignal): Promise<void> {
    await this.until(
      () => this.current().filter((r) => r.state === 'ready').length >= this.desired && this.old().length === 0,
      timeoutMs,
      signal,
      () => `${this.desired} ready replicas (have ${this.readyCount()})${this.whyNotReady()}`,
    );
  }

  /** What a user needs when replicas will not become ready: crashes, the last probe, the last output. */
  private whyNotReady(): string {
    const parts: string[] = [];
    if (this.crashes > 0) parts.push(`replicas crashed ${this.crashes} time(s), restarted with back-off (now ${this.backoffMs} ms)`);
    const waiting = this.current().filter((r) => r.state !== 'ready');
    const probing = waiting[waiting.length - 1];
    if (probing) parts.push(probing.whyNotReady());
    const told = this.lastCrash ?? probing;
    if (told && told.tail.length > 0)
      parts.push(
        `last output of ${told.spec.id}:\n${told.tail
          .slice(-10)
          .map((l) => `    ${l}`)
          .join('\n')}`,
      );
    parts.push(this.clusterConfig.keepLogs ? `replica logs: ${this.o.runDir}/replica-*.log` : 'replica logs are not kept (platform.cluster.keepLogs: false)');
    return `; ${parts.join('; ')}`;
  }

  until(done: () => boolean, timeoutMs: number, signal: AbortSignal, what: () => string): Promise<void> {
    return pollUntil(done, { timeoutMs, signal, everyMs: POLL_MS, what });
  }

  /**
   * Which replicas to remove first, as the ReplicaSet controller ranks them: not ready before ready, then
   * those in the most crowded zone and node, so removals keep the spread.
   */
  removalOrder(candidates: Replica[]): Replica[] {
    const running = this.alive().filter((r) => r.state !== 'terminating');
    const inZone = (r: Replica): number => running.filter((x) => x.spec.zone === r.spec.zone).length;
    const onNode = (r: Replica): number => running.filter((x) => x.spec.node === r.spec.node).length;
    return [...candidates].sort((a, b) => Number(a.state === 'ready') - Number(b.state === 'ready') || inZone(b) - inZone(a) || onNode(b) - onNode(a));
  }

  /** The controller: start replicas until the current revision has `desired` of them. */
  async reconcile(): Promise<void> {
    if (this.paused.size > 0) return;
    const missing = this.desired - this.current().length;
    for (let i = 0; i < missing; i++) {
      if (!(await this.startReplica(true))) break;
    }
  }

  async startReplica(): Promise<Replica>;
  async startReplica(optional: true): Promise<Replica | undefined>;
  async startReplica(optional = false): Promise<Replica | undefined> {
    // Spread counts the current revision first (as topology spread with matchLabelKeys: pod-template-hash
    // does), so a rolling update ends as evenly spread as it began; every replica breaks ties.
    const running = this.alive().filter((r) => r.state !== 'terminating');
    const load = (n: string): number => running.filter((r) => r.spec.node === n).reduce((sum, r) => sum + (r.spec.revision === this.revision ? 1000 : 1), 0);
    const node = this.o.cluster.pick(load, this.spec.spread, this.spec.zones);
    if (!node) {
      this.sink(
        'replica.pending',
        `no schedulable node${this.spec.zones ? ` in ${this.spec.zones.join(', ')}` : ''}: a replica of ${this.name} stays pending`,
        this.name,
      );
      if (optional) return undefined;
      throw new GoliveError('GOLIVE_PLATFORM_FAILED', 'no schedulable node for a new replica');
    }
    const port = await freePort();
    // Stopping while the port was found: a replica started now would outlive the run.
    if (this.stopped) {
      if (optional) return undefined;
      throw new InterruptedError('starting a replica');
    }
    const id = `${this.name}-r${this.revision}-${++this.counter}`;
    const app = this.spec;
    const env: Record<string, string> = {
      ...app.env,
      ...this.o.env,
      ...this.extraEnv,
      PORT: String(port),
      GOLIVE_REPLICA: id,
      GOLIVE_NODE: node.name,
      GOLIVE_ZONE: node.zone,
      GOLIVE_REVISION: String(this.revision),
      GOLIVE_DATA_DIR: this.dataDir,
      GOLIVE_RUN_ID: this.o.runId,
    };
    const entry = this.o.journal.record(`started replica ${id}: ${app.command}`, 'kill its process group', {
      kind: 'process-group',
      pgid: 0,
      command: app.command,
    });
    const replica = new Replica(
      {
        id,
        command: app.command,
        cwd: this.appCwd,
        env,
        port,
        node: node.name,
        zone: node.zone,
        revision: this.revision,
        logFile: this.clusterConfig.keepLogs ? path.join(this.o.runDir, `replica-${id}.log`) : '/dev/null',
        readiness: { check: app.readiness.check, periodMs: app.readiness.period, failureThreshold: app.readiness.failureThreshold },
      },
      { onState: (r, state, detail, crashed) => this.onState(r, state, detail, crashed) },
    );
    // Tracked before anything else can fail: a replica golive does not know of would outlive the run.
    this.replicas.push(replica);
    this.journalOf.set(replica, entry);
    this.o.journal.update(entry, { kind: 'process-group', pgid: replica.pid, command: app.command });
    this.sink('replica.starting', `starting on ${node.name} (${node.zone}), revision ${this.revision}`, id);
    return replica;
  }

  /** Tells the Service these replicas' machines are gone (a lost zone): their connections go silent. */
  async loseReplicas(replicas: readonly Replica[]): Promise<void> {
    await this.o.proxy.lose?.(replicas.map((r) => r.spec.id));
  }

  updateRotation(): void {
    const inRotation = [...this.alive().filter((r) => r.state === 'ready'), ...this.unnoticed];
    // Applied asynchronously, as kube-proxy applies endpoint changes; nothing here waits for it.
    void this.o.proxy.setUpstreams(inRotation.map((r) => ({ id: r.spec.id, port: r.spec.port })));
  }

  /** Stops every replica (gracefully, with a short grace); returns the ones that would not stop. */
  async shutdown(): Promise<string[]> {
    this.pause('stopped');
    const grace = Math.min(this.spec.terminationGrace, 3000);
    await Promise.all(this.alive().map((r) => r.terminate(grace)));
    const failures: string[] = [];
    for (const [replica, entry] of this.journalOf) {
      if (replica.alive) failures.push(`replica ${replica.spec.id} (process group ${replica.pid}) is still running: kill -9 -${replica.pid}`);
      else this.o.journal.markUndone(entry);
    }
    return failures;
  }

  private onState(replica: Replica, state: ReplicaState, detail: string, crashed: boolean): void {
    this.updateRotation();
    this.sink(`replica.${state}`, detail, replica.spec.id);
    if (state !== 'exited') return;
    const entry = this.journalOf.get(replica);
    if (entry) this.o.journal.markUndone(entry);
    // A crash (not a termination golive asked for) is replaced, as a ReplicaSet would, with back-off so a
    // replica that crashes at start does not restart in a tight loop.
    if (crashed) {
      this.crashes++;
      this.lastCrash = replica;
      if (performance.now() - replica.startedAt > STABLE_MS) this.backoffMs = INITIAL_BACKOFF_MS;
      const wait = this.backoffMs;
      this.backoffMs = Math.min(MAX_BACKOFF_MS, this.backoffMs * 2);
      void sleep(wait).then(() => this.reconcile());
    }
  }
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
