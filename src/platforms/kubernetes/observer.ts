/**
 * Watches the system's pods (every pod of the namespace, kept when `includes` says it belongs to one of the
 * system's workloads: a selector cannot say "owned by these workloads"), the nodes and the namespace's Events,
 * and turns every change into a timeline event; a pod's events carry its name. Each watch
 * runs in a loop: list, watch from that resourceVersion with a server timeout (watches can stop silently on
 * long runs), continue from the last version seen, relist on 410 Gone, back off and retry on errors.
 */
import type { EventSink as Emit } from '../../model/events.js';
import type { KubeClient, WatchEvent } from './client.js';
import { isReady, isTerminating, nodeReady, type KEvent, type KNode, type KPod } from './types.js';

const WATCH_TIMEOUT_S = 60;

export class ClusterObserver {
  private readonly abort = new AbortController();
  private readonly pods = new Map<string, KPod>();
  private readonly nodes = new Map<string, KNode>();
  private readonly running: Promise<void>[] = [];
  relists = 0;

  constructor(
    private readonly client: KubeClient,
    private readonly namespace: string,
    private readonly includes: (pod: KPod) => boolean,
    private readonly emit: () => Emit,
  ) {}

  async start(): Promise<void> {
    const pods = await this.client.listPods(this.namespace);
    for (const p of pods.items) if (this.includes(p)) this.pods.set(p.metadata.name, p);
    const nodes = await this.client.listNodes();
    for (const n of nodes.items) this.nodes.set(n.metadata.name, n);
    const events = await this.client.listEvents(this.namespace);
    this.running.push(
      this.loop(
        `/api/v1/namespaces/${this.namespace}/pods`,
        {},
        pods.resourceVersion,
        (e) => this.onPod(e as WatchEvent<KPod>),
        async () => {
          const fresh = await this.client.listPods(this.namespace);
          for (const p of fresh.items) this.onPod({ type: this.pods.has(p.metadata.name) ? 'MODIFIED' : 'ADDED', object: p });
          return fresh.resourceVersion;
        },
      ),
      this.loop(
        '/api/v1/nodes',
        {},
        nodes.resourceVersion,
        (e) => this.onNode(e as WatchEvent<KNode>),
        async () => {
          const fresh = await this.client.listNodes();
          for (const n of fresh.items) this.onNode({ type: 'MODIFIED', object: n });
          return fresh.resourceVersion;
        },
      ),
      this.loop(
        `/api/v1/namespaces/${this.namespace}/events`,
        {},
        events.resourceVersion,
        (e) => this.onEvent(e as WatchEvent<KEvent>),
        async () => (await this.client.listEvents(this.namespace)).resourceVersion,
      ),
    );
  }

  /** The system's pods as last seen. */
  currentPods(): KPod[] {
    return [...this.pods.values()];
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await Promise.all(this.running);
  }

  private async loop(
    path: string,
    query: Record<string, string>,
    fromVersion: string,
    onEvent: (e: WatchEvent<unknown>) => void,
    relist: () => Promise<string>,
  ): Promise<void> {
    let version = fromVersion;
    let failures = 0;
    while (!this.abort.signal.aborted) {
      const result = await this.client.watch<{ metadata?: { resourceVersion?: string } }>(
        path,
        {
          ...query,
          allowWatchBookmarks: true,
          timeoutSeconds: WATCH_TIMEOUT_S,
          ...(version ? { resourceVersion: version } : {}),
        },
        (e) => {
          if (e.type === 'ERROR') return;
          const rv = e.object.metadata?.resourceVersion;
          if (rv) version = rv;
          if (e.type !== 'BOOKMARK') onEvent(e);
        },
        this.abort.signal,
      );
      if (this.abort.signal.aborted) return;
      if (result.gone) {
        this.relists++;
        this.emit()('watch.relist', `${path}: resourceVersion expired (410 Gone), listing again`);
        try {
          version = await relist();
        } catch {
          version = '';
        }
        continue;
      }
      if (result.error) {
        failures++;
        await new Promise((r) => setTimeout(r, Math.min(5000, 250 * 2 ** failures)));
      } else failures = 0;
    }
  }

  private onPod(e: WatchEvent<KPod>): void {
    const pod = e.object;
    if (!this.includes(pod)) return;
    const name = pod.metadata.name;
    const before = this.pods.get(name);
    const emit = this.emit();
    if (e.type === 'DELETED') {
      this.pods.delete(name);
      emit('pod.deleted', `deleted${pod.spec?.nodeName ? ` from ${pod.spec.nodeName}` : ''}`, name);
      return;
    }
    this.pods.set(name, pod);
    if (!before) emit('pod.created', 'created', name);
    if (pod.spec?.nodeName && pod.spec.nodeName !== before?.spec?.nodeName) emit('pod.scheduled', `scheduled on ${pod.spec.nodeName}`, name);
    if (isReady(pod) && !(before && isReady(before))) emit('pod.ready', 'Ready', name);
    if (!isReady(pod) && before && isReady(before) && !isTerminating(pod)) emit('pod.not-ready', 'not Ready', name);
    if (isTerminating(pod) && !(before && isTerminating(before))) emit('pod.terminating', 'terminating', name);
  }

  private onNode(e: WatchEvent<KNode>): void {
    const node = e.object;
    const name = node.metadata.name;
    const before = this.nodes.get(name);
    const emit = this.emit();
    if (e.type === 'DELETED') {
      this.nodes.delete(name);
      emit('node.deleted', 'deleted', name);
      return;
    }
    this.nodes.set(name, node);
    if (!before) return;
    if (Boolean(node.spec?.unschedulable) !== Boolean(before.spec?.unschedulable))
      emit(node.spec?.unschedulable ? 'node.cordoned' : 'node.uncordoned', node.spec?.unschedulable ? 'unschedulable' : 'schedulable', name);
    if (nodeReady(node) !== nodeReady(before)) emit(nodeReady(node) ? 'node.ready' : 'node.not-ready', nodeReady(node) ? 'Ready' : 'NotReady', name);
    const taints = (n: KNode): string =>
      (n.spec?.taints ?? [])
        .map((t) => `${t.key}:${t.effect}`)
        .sort()
        .join(', ');
    if (taints(node) !== taints(before)) emit('node.taints', `taints: ${taints(node) || 'none'}`, name);
  }

  private onEvent(e: WatchEvent<KEvent>): void {
    if (e.type !== 'ADDED') return;
    const ev = e.object;
    this.emit()('k8s.event', `${ev.reason ?? ''}: ${ev.message ?? ''}`.trim(), ev.involvedObject?.name);
  }
}
