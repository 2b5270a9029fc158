/**
 * What the kubernetes platform's parts (rollout, drain, zone outage, Velero, namespace lifecycle) share:
 * the client, the workload, where events go, and `record`, which journals a change and registers its undo
 * on the run's teardown stack before the change is made.
 */
import path from 'node:path';
import type { EventSink } from '../../model/events.js';
import type { Journal } from '../../safety/journal.js';
import type { RunNow, TeardownStack } from '../../safety/teardown-stack.js';
import type { HookRunner } from '../platform.js';
import { pollUntil } from '../shared/poll.js';
import type { KubeClient } from './client.js';
import type { ResolvedKubernetesPlatform } from './schema.js';
import type { KWorkload } from './types.js';
import { undoChange, type JournalledUndo, type K8sUndo } from './undo.js';

const POLL_MS = 500;

export class K8sScope {
  readonly ns: string;
  readonly kind: 'Deployment' | 'StatefulSet';
  readonly name: string;
  selector = '';
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
    this.kind = config.workload.kind;
    this.name = config.workload.name;
  }

  get kubeconfig(): string | undefined {
    return this.config.kubeconfig ? path.resolve(this.baseDir, this.config.kubeconfig) : undefined;
  }

  workload(): Promise<KWorkload> {
    return this.client.getWorkload(this.kind, this.ns, this.name);
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

  until(done: () => Promise<boolean>, timeoutMs: number, signal: AbortSignal, what: string): Promise<void> {
    return pollUntil(done, { timeoutMs, signal, everyMs: POLL_MS, what: () => what });
  }
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
