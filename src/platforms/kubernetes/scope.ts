/**
 * What the kubernetes platform's parts (rollout, drain, zone outage, Velero, namespace lifecycle) share:
 * the client, the system's workloads, where events go, and `record`, which journals a change and registers
 * its undo on the run's teardown stack before the change is made.
 */
import path from 'node:path';
import { GoliveError } from '../../errors.js';
import type { EventSink } from '../../model/events.js';
import type { Journal } from '../../safety/journal.js';
import type { RunNow, TeardownStack } from '../../safety/teardown-stack.js';
import type { HookRunner } from '../platform.js';
import { pollUntil } from '../shared/poll.js';
import type { KubeClient } from './client.js';
import type { ResolvedKubernetesPlatform } from './schema.js';
import { label, ownerOf, sameWorkload, type SystemWorkload } from './system.js';
import type { KPod, KWorkload } from './types.js';
import { undoChange, type JournalledUndo, type K8sUndo } from './undo.js';

const POLL_MS = 500;

export class K8sScope {
  readonly ns: string;
  /** The system's workloads, the entry first: read from the namespace at the start. */
  system: SystemWorkload[] = [];
  sink: EventSink = () => undefined;

  constructor(
    readonly client: KubeClient,
    readonly config: ResolvedKubernetesPlatform,
    readonly hooks: HookRunner,
    readonly journal: Journal,
    private readonly teardowns: TeardownStack,
    private readonly baseDir: string,
  ) {
    this.ns = config.namespace;
  }

  get kubeconfig(): string | undefined {
    return this.config.kubeconfig ? path.resolve(this.baseDir, this.config.kubeconfig) : undefined;
  }

  /** A component by name (a workload of the system); the entry when no name is given. */
  component(name?: string): SystemWorkload {
    const found = name === undefined ? this.system[0] : this.system.find((w) => w.name === name);
    if (found) return found;
    if (name === undefined) throw new GoliveError('GOLIVE_RUN_FAILED', 'Internal error: the system is read at the start, before any drill');
    throw new GoliveError('GOLIVE_USAGE', `no component "${name}": the system's workloads are ${this.system.map(label).join(', ')}`);
  }

  get(w: SystemWorkload): Promise<KWorkload> {
    return this.client.getWorkload(w.kind, this.ns, w.name);
  }

  /** The system's workload a pod belongs to, if any. */
  componentOf(pod: KPod): SystemWorkload | undefined {
    const owner = ownerOf(pod);
    return owner && this.system.find((w) => sameWorkload(w, owner));
  }

  /** Every pod of the system's workloads now. */
  async systemPods(): Promise<KPod[]> {
    return (await this.client.listPods(this.ns)).items.filter((p) => this.componentOf(p) !== undefined);
  }

  /**
   * Journals a change with its undo and registers the undo, before the change is made. Returns the undo
   * to run early (an uncordon once a node is drained). A dry run changes nothing, so records nothing.
   */
  record(change: string, manual: string, undo: K8sUndo): RunNow {
    if (this.client.dryRun) return () => Promise.resolve();
    const payload: JournalledUndo = { change: undo, context: this.client.context, kubeconfig: this.kubeconfig };
    const entry = this.journal.record(change, manual, { kind: 'undo', by: 'kubernetes', payload });
    return this.teardowns.push({
      what: change,
      manual,
      entry,
      run: async () => {
        await undoChange(this.client, undo);
        this.sink('undo', manual);
      },
    });
  }

  /** Registers a teardown that is not a cluster change (a watch to stop, a clone to delete). */
  onTeardown(what: string, manual: string, run: () => Promise<void> | void): RunNow {
    return this.teardowns.push({ what, manual, run });
  }

  until(done: () => Promise<boolean>, timeoutMs: number, signal: AbortSignal, what: string | (() => string)): Promise<void> {
    return pollUntil(done, { timeoutMs, signal, everyMs: POLL_MS, what: typeof what === 'string' ? () => what : what });
  }
}
