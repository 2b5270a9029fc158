/**
 * The `kubernetes` platform: the drills against a real cluster, through its API. Every change is journalled
 * (with its undo) before it is made and undone at the end, on error and on Ctrl-C; `--dry-run` describes
 * every mutating call and makes none.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GoliveError } from '../../errors.js';
import type { Journal, JournalEntry } from '../../safety/journal.js';
import type { CapacityReport, EventSink, HookRunner, NodeDrainOptions, Platform, PlatformInfo, RolloutChange, ZoneInfo, ZoneOutageMode } from '../platform.js';
import { KubeClient } from './client.js';
import { startCapacitySampling } from './capacity.js';
import { ClusterObserver } from './observer.js';
import { accessChecks, requiredRules, type PermissionNeeds } from './permissions.js';
import { PROTECTED_NAMESPACES, type ResolvedKubernetesPlatform } from './schema.js';
import { isTerminating, nodeReady, selectorString, ZONE_LABEL, type KNode, type KPod, type KWorkload, type Taint } from './types.js';

const POLL_MS = 500;
const RESTART_ANNOTATION = 'kubectl.kubernetes.io/restartedAt';
export const ZONE_TAINT_KEY = 'golive.dev/zone-outage';
const UNREACHABLE_TAINT_KEY = 'node.kubernetes.io/unreachable';

export interface KubernetesPlatformOptions {
  config: ResolvedKubernetesPlatform;
  baseDir: string;
  journal: Journal;
  hooks: HookRunner;
  /** Drill kinds configured: what permissions to check before starting. */
  drillKinds: string[];
  dryRun: boolean;
  /** Consent for destroying the namespace (disaster-recovery, redeploy). */
  allowDestroy: boolean;
  /** Told about each mutating call, in words (the dry-run plan). */
  onMutation?: (description: string) => void;
  /** The client, when the caller already made one (tests and `golive rbac`). */
  client?: KubeClient;
  /** Namespace of load worker pods, when the load runs as a Job. */
  workersNamespace?: string | undefined;
}

/** Journal payloads for cluster changes: what `golive recover` needs to undo them. */
export type K8sUndo =
  | { op: 'uncordon'; node: string }
  | { op: 'remove-taint'; node: string; key: string }
  | { op: 'scale'; kind: 'Deployment' | 'StatefulSet'; namespace: string; name: string; replicas: number }
  | { op: 'env'; kind: 'Deployment' | 'StatefulSet'; namespace: string; name: string; container: string; env: string; value: string | null }
  | { op: 'delete-job'; namespace: string; name: string }
  | { op: 'delete-configmap'; namespace: string; name: string };

export class KubernetesPlatform implements Platform {
  readonly info: PlatformInfo;
  readonly client: KubeClient;
  private readonly config: ResolvedKubernetesPlatform;
  private readonly ns: string;
  private readonly kind: 'Deployment' | 'StatefulSet';
  private readonly name: string;
  private sink: EventSink = () => undefined;
  private observer: ClusterObserver | undefined;
  private selector = '';
  private readonly undo: { entry: JournalEntry; change: K8sUndo }[] = [];
  private readonly tempDirs: string[] = [];

  constructor(private readonly options: KubernetesPlatformOptions) {
    this.config = options.config;
    this.ns = this.config.namespace;
    this.kind = this.config.workload.kind;
    this.name = this.config.workload.name;
    this.client = options.client ?? new KubeClient({
      kubeconfig: this.config.kubeconfig ? path.resolve(options.baseDir, this.config.kubeconfig) : undefined,
      context: this.config.context,
      dryRun: options.dryRun,
      onMutation: (d) => { this.sink('k8s.call', d); options.onMutation?.(d); },
    });
    if (this.config.expectContext && this.client.context !== this.config.expectContext) {
      throw new GoliveError('GOLIVE_USAGE', `refusing to run: the kubeconfig context is "${this.client.context}" but expectContext is "${this.config.expectContext}"`);
    }
    this.info = {
      kind: 'kubernetes',
      context: this.client.context,
      namespace: this.ns,
      description: `kubernetes: context ${this.client.context} (${this.client.server}), namespace ${this.ns}, ${this.kind} ${this.name}${options.dryRun ? ' · DRY RUN: no changes' : ''}`,
    };
  }

  setEventSink(sink: EventSink): void {
    this.sink = sink;
  }

  /** The permissions the configured drills need. */
  permissionNeeds(): PermissionNeeds {
    return {
      namespace: this.ns,
      workloadResource: this.kind === 'Deployment' ? 'deployments' : 'statefulsets',
      drills: this.options.drillKinds,
      veleroNamespace: this.config.veleroNamespace,
      workersNamespace: this.options.workersNamespace,
    };
  }

  async start(): Promise<{ url?: string }> {
    await this.client.version();
    const denied = await this.client.denied(accessChecks(requiredRules(this.permissionNeeds())));
    if (denied.length > 0) {
      const list = denied.map((d) => `${d.verb} ${d.group ? `${d.group}/` : ''}${d.resource}${d.subresource ? `/${d.subresource}` : ''}${d.namespace ? ` in ${d.namespace}` : ''}`).join('; ');
      throw new GoliveError('GOLIVE_K8S_FORBIDDEN', `forbidden before anything changed: golive may not ${list}. \`golive rbac\` prints the Role and ClusterRole to grant.`);
    }
    if (this.options.drillKinds.some((k) => k === 'disaster-recovery' || k === 'redeploy')) {
      if (PROTECTED_NAMESPACES.includes(this.ns)) throw new GoliveError('GOLIVE_USAGE', `refusing destructive drills in namespace "${this.ns}" (${PROTECTED_NAMESPACES.join(', ')} are never destroyed)`);
    }
    const workload = await this.workload();
    this.selector = selectorString(workload.spec?.selector?.matchLabels ?? {});
    if (!this.selector) throw new GoliveError('GOLIVE_USAGE', `${this.kind} ${this.ns}/${this.name} has no matchLabels selector golive can watch`);
    this.observer = new ClusterObserver(this.client, this.ns, this.selector, () => this.sink);
    await this.observer.start();
    this.sink('k8s.target', `context ${this.client.context} at ${this.client.server}, namespace ${this.ns}, ${this.kind} ${this.name} (pods ${this.selector})`);
    return {};
  }

  private workload(): Promise<KWorkload> {
    return this.client.getWorkload(this.kind, this.ns, this.name);
  }

  // ── readiness: the same rules as `kubectl rollout status` ─────────────────────────────────────────────

  async waitReady(timeoutMs: number, signal: AbortSignal): Promise<void> {
    if (this.client.dryRun) return;
    await this.until(async () => rolloutComplete(await this.workload()), timeoutMs, signal, `${this.kind} ${this.name} to be available`);
  }

  async rollout(change: RolloutChange, timeoutMs: number, signal: AbortSignal): Promise<void> {
    const before = await this.workload();
    const container = before.spec?.template?.spec?.containers?.[0]?.name ?? 'app';
    switch (change.kind) {
      case 'restart':
        this.sink('rollout.started', `pod-template annotation ${RESTART_ANNOTATION} (what kubectl rollout restart does)`);
        await this.client.patchWorkload(this.kind, this.ns, this.name, { spec: { template: { metadata: { annotations: { [RESTART_ANNOTATION]: new Date().toISOString() } } } } }, 'restart');
        break;
      case 'env': {
        const previous = (before.spec?.template?.spec?.containers?.[0] as { env?: { name: string; value?: string }[] } | undefined)?.env?.find((e) => e.name === change.name)?.value ?? null;
        this.record(`set env ${change.name}=${change.value} on ${this.kind} ${this.name}`, `kubectl set env ${this.kind.toLowerCase()}/${this.name} -n ${this.ns} ${change.name}${previous === null ? '-' : `=${previous}`}`,
          { op: 'env', kind: this.kind, namespace: this.ns, name: this.name, container, env: change.name, value: previous });
        this.sink('rollout.started', `set env ${change.name}`);
        await this.client.patchWorkload(this.kind, this.ns, this.name, { spec: { template: { spec: { containers: [{ name: container, env: [{ name: change.name, value: change.value }] }] } } } }, `env ${change.name}`);
        break;
      }
      case 'image':
        this.sink('rollout.started', `image ${change.image}`);
        await this.client.patchWorkload(this.kind, this.ns, this.name, { spec: { template: { spec: { containers: [{ name: change.container ?? container, image: change.image }] } } } }, `image ${change.image}`);
        break;
      case 'run':
        this.sink('rollout.started', `deploy command: ${change.command}`);
        await this.options.hooks.run(change.command, { GOLIVE_NAMESPACE: this.ns }, signal);
        break;
    }
    if (this.client.dryRun) return;
    await this.until(async () => {
      const w = await this.workload();
      const stalled = w.status?.conditions?.find((c) => c.type === 'Progressing' && c.reason === 'ProgressDeadlineExceeded');
      if (stalled) throw new GoliveError('GOLIVE_PLATFORM_FAILED', `rollout of ${this.kind} ${this.name} stalled: ${stalled.message ?? 'ProgressDeadlineExceeded'}`);
      return (w.metadata.generation ?? 0) > (before.metadata.generation ?? 0) || change.kind === 'run' ? rolloutComplete(w) : false;
    }, timeoutMs, signal, `rollout of ${this.kind} ${this.name} to complete`);
    this.sink('rollout.completed', 'updated, replicas available (kubectl rollout status rules)');
  }

  // ── node-drain ────────────────────────────────────────────────────────────────────────────────────────

  async nodes(which: 'hosting' | 'all'): Promise<string[]> {
    if (which === 'all') return (await this.client.listNodes()).items.filter((n) => !n.spec?.unschedulable).map((n) => n.metadata.name);
    const pods = (await this.client.listPods(this.ns, this.selector)).items;
    return [...new Set(pods.map((p) => p.spec?.nodeName).filter((n): n is string => Boolean(n)))].sort();
  }

  async drainNode(node: string, options: NodeDrainOptions, signal: AbortSignal): Promise<void> {
    const deadline = Date.now() + options.timeoutMs;
    const cordon = this.record(`cordoned node ${node}`, `kubectl uncordon ${node}`, { op: 'uncordon', node });
    await this.client.patchNode(node, { spec: { unschedulable: true } }, 'cordon');
    this.sink('node.cordon', 'cordoned', node);
    const pods = (await this.client.listPodsOnNode(node)).filter((p) => !isDaemonSetPod(p) && !isMirrorPod(p) && !isTerminating(p));
    const skipped = pods.filter((p) => usesEmptyDir(p) && !this.config.drain.deleteEmptyDirData);
    if (skipped.length) throw new GoliveError('GOLIVE_PLATFORM_FAILED', `pods on ${node} use emptyDir (${skipped.map((p) => p.metadata.name).join(', ')}) and drain.deleteEmptyDirData is false`);
    for (const pod of pods) {
      const ns = pod.metadata.namespace ?? this.ns;
      for (let attempt = 1; ; attempt++) {
        if (signal.aborted) throw new Error('interrupted');
        const result = await this.client.evictPod(ns, pod.metadata.name);
        if (result !== 'blocked') {
          this.sink('eviction', result === 'gone' ? 'already gone' : `evicted${usesEmptyDir(pod) ? ' (its emptyDir data is lost)' : ''}`, `${ns}/${pod.metadata.name}`);
          break;
        }
        const pdb = await this.blockingPdb(pod);
        if (Date.now() > deadline) {
          throw new GoliveError('GOLIVE_PLATFORM_FAILED', `draining ${node} timed out after ${options.timeoutMs} ms: eviction of ${ns}/${pod.metadata.name} is still blocked by PodDisruptionBudget ${pdb}`);
        }
        // 429 carries no Retry-After: retry on our own schedule, and say so every time.
        this.sink('eviction.blocked', `eviction ${attempt} refused (429): PodDisruptionBudget ${pdb} allows no disruption now; retrying in ${this.config.drain.retryEvery} ms`, `${ns}/${pod.metadata.name}`);
        await sleep(this.config.drain.retryEvery, signal);
      }
    }
    if (!this.client.dryRun) {
      await this.until(async () => (await this.client.listPodsOnNode(node)).filter((p) => pods.some((q) => q.metadata.name === p.metadata.name)).length === 0,
        Math.max(0, deadline - Date.now()), signal, `evicted pods to leave ${node}`);
      // kubectl drain stops here; golive waits for the replacements, so the next node is drained from a healthy state.
      await this.waitReady(Math.max(0, deadline - Date.now()), signal);
      this.sink('node.drained', 'every pod evicted and the workload available again', node);
    }
    if (options.reboot) {
      if ('run' in options.reboot) {
        this.sink('node.reboot', `reboot hook: ${options.reboot.run}`, node);
        await this.options.hooks.run(options.reboot.run, { GOLIVE_NODE: node, GOLIVE_NAMESPACE: this.ns }, signal);
      } else if ('manual' in options.reboot) {
        await this.options.hooks.manual(options.reboot.manual.replaceAll('$GOLIVE_NODE', node), signal);
      } else {
        await sleep(options.reboot.delayMs, signal);
      }
      if (!this.client.dryRun) await this.until(async () => nodeReady(await this.client.getNode(node)), this.config.drain.nodeReadyTimeout, signal, `node ${node} to be Ready after its reboot`);
    }
    await this.client.patchNode(node, { spec: { unschedulable: null } }, 'uncordon');
    if (cordon.id !== 0) this.options.journal.markUndone(cordon);
    this.forget(cordon);
  }

  private async blockingPdb(pod: KPod): Promise<string> {
    const ns = pod.metadata.namespace ?? this.ns;
    const labels = pod.metadata.labels ?? {};
    const pdbs = await this.client.listPdbs(ns);
    const match = pdbs.find((p) => Object.entries(p.spec?.selector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v));
    if (!match) return '(none found: the API server refused the eviction)';
    const limit = match.spec?.minAvailable !== undefined ? `minAvailable ${match.spec.minAvailable}` : `maxUnavailable ${match.spec?.maxUnavailable}`;
    return `${ns}/${match.metadata.name} (${limit}, ${match.status?.currentHealthy ?? '?'} healthy, ${match.status?.disruptionsAllowed ?? 0} disruptions allowed)`;
  }

  // ── zone-outage ───────────────────────────────────────────────────────────────────────────────────────

  async zones(): Promise<ZoneInfo[]> {
    const nodes = (await this.client.listNodes()).items;
    const unlabelled = nodes.filter((n) => !n.metadata.labels?.[ZONE_LABEL]);
    if (unlabelled.length === nodes.length) throw new GoliveError('GOLIVE_USAGE', `no node has the ${ZONE_LABEL} label: zone-outage needs zones`);
    const pods = (await this.client.listPods(this.ns, this.selector)).items.filter((p) => !isTerminating(p));
    const zones = new Map<string, ZoneInfo>();
    for (const n of nodes) {
      const zone = n.metadata.labels?.[ZONE_LABEL];
      if (!zone) continue;
      const z = zones.get(zone) ?? { zone, nodes: [], replicas: 0 };
      z.nodes.push(n.metadata.name);
      z.replicas += pods.filter((p) => p.spec?.nodeName === n.metadata.name).length;
      zones.set(zone, z);
    }
    return [...zones.values()].sort((a, b) => a.zone.localeCompare(b.zone));
  }

  async failZone(zone: string, mode: ZoneOutageMode, signal: AbortSignal): Promise<void> {
    const info = (await this.zones()).find((z) => z.zone === zone);
    if (!info) throw new GoliveError('GOLIVE_USAGE', `no zone "${zone}"`);
    if (mode.kind === 'run') {
      this.sink('zone.hook', `zone hook: ${mode.command}`, zone);
      await this.options.hooks.run(mode.command, { GOLIVE_ZONE: zone, GOLIVE_NAMESPACE: this.ns }, signal);
      this.sink('zone.lost', `${zone} lost by the hook; golive watches and measures`, zone);
      return;
    }
    const key = mode.kind === 'evict' ? ZONE_TAINT_KEY : UNREACHABLE_TAINT_KEY;
    for (const node of info.nodes) {
      const current = (await this.client.getNode(node)).spec?.taints ?? [];
      this.record(`tainted node ${node} ${key}:NoExecute`, `kubectl taint nodes ${node} ${key}:NoExecute-`, { op: 'remove-taint', node, key });
      if (mode.kind === 'evict') this.record(`cordoned node ${node}`, `kubectl uncordon ${node}`, { op: 'uncordon', node });
      const taint: Taint = { key, effect: 'NoExecute', ...(mode.kind === 'evict' ? { value: zone } : {}) };
      // node.spec.taints has no merge key: the whole list is sent.
      await this.client.patchNode(node, { spec: { ...(mode.kind === 'evict' ? { unschedulable: true } : {}), taints: [...current.filter((t) => t.key !== key), taint] } }, `${mode.kind === 'evict' ? 'cordon + ' : ''}taint ${key}:NoExecute`);
    }
    if (mode.kind === 'evict') {
      const pods = (await this.client.listPods(this.ns, this.selector)).items.filter((p) => info.nodes.includes(p.spec?.nodeName ?? ''));
      await Promise.all(pods.map((p) => this.client.deletePod(this.ns, p.metadata.name, 0)));
      this.sink('zone.lost', `${zone} (mode evict): ${info.nodes.length} node(s) cordoned and tainted ${ZONE_TAINT_KEY}:NoExecute, ${pods.length} pod(s) deleted without grace`, zone);
    } else {
      this.sink('zone.lost', `${zone} (mode unreachable): ${info.nodes.length} node(s) tainted ${UNREACHABLE_TAINT_KEY}:NoExecute as the node controller would; pods move when their tolerationSeconds (300 s by default) run out`, zone);
    }
  }

  async waitZoneEvacuated(zone: string, timeoutMs: number, signal: AbortSignal): Promise<void> {
    if (this.client.dryRun) return;
    const nodes = new Set((await this.zones()).find((z) => z.zone === zone)?.nodes ?? []);
    await this.until(async () => !(await this.client.listPods(this.ns, this.selector)).items.some((p) => nodes.has(p.spec?.nodeName ?? '') && !isTerminating(p)),
      timeoutMs, signal, `the pods in ${zone} to be evicted (with mode unreachable this takes their tolerationSeconds, 300 s by default)`);
  }

  async restoreZone(zone: string): Promise<void> {
    for (const item of [...this.undo].reverse()) {
      const c = item.change;
      if ((c.op === 'remove-taint' && (c.key === ZONE_TAINT_KEY || c.key === UNREACHABLE_TAINT_KEY)) || c.op === 'uncordon') await this.undoOne(item);
    }
    this.sink('zone.restored', `${zone} back: taints removed, nodes uncordoned`, zone);
  }

  // ── scale and kill ────────────────────────────────────────────────────────────────────────────────────

  async scale(replicas: number, signal: AbortSignal): Promise<void> {
    const before = (await this.workload()).spec?.replicas ?? 1;
    this.record(`scaled ${this.kind} ${this.name} ${before} → ${replicas}`, `kubectl scale ${this.kind.toLowerCase()}/${this.name} -n ${this.ns} --replicas=${before}`, { op: 'scale', kind: this.kind, namespace: this.ns, name: this.name, replicas: before });
    await this.client.patchWorkload(this.kind, this.ns, this.name, { spec: { replicas } }, `replicas ${replicas}`);
    await this.waitReady(300_000, signal);
  }

  async killReplicas(count: number): Promise<void> {
    const pods = (await this.client.listPods(this.ns, this.selector)).items.filter((p) => !isTerminating(p)).slice(0, count);
    await Promise.all(pods.map((p) => this.client.deletePod(this.ns, p.metadata.name, 0)));
  }

  // ── disaster-recovery (Velero) and redeploy ───────────────────────────────────────────────────────────

  async backup(signal: AbortSignal): Promise<string> {
    const velero = this.config.veleroNamespace;
    if (!(await this.client.hasResource('velero.io', 'v1', 'backups', velero))) {
      throw new GoliveError('GOLIVE_USAGE', `Velero is not installed (no backups.velero.io in namespace ${velero}): install it, or use backup: { run, destroy, restore } hooks`);
    }
    const name = `golive-${this.ns}-${Date.now()}`;
    await this.client.createCustom('velero.io', 'v1', velero, 'backups', { apiVersion: 'velero.io/v1', kind: 'Backup', metadata: { name, namespace: velero }, spec: { includedNamespaces: [this.ns] } });
    this.sink('backup.started', `Velero Backup ${velero}/${name} of namespace ${this.ns}`);
    await this.waitVelero('backups', name, signal);
    this.sink('backup.completed', `Velero Backup ${name} Completed`, name);
    return name;
  }

  async destroy(signal: AbortSignal): Promise<void> {
    this.assertMayDestroy();
    this.sink('destroy', `deleting namespace ${this.ns}`);
    await this.client.deleteNamespace(this.ns);
    if (!this.client.dryRun) await this.until(async () => !(await this.client.namespaceExists(this.ns)), 600_000, signal, `namespace ${this.ns} to be gone`);
    this.sink('destroy.done', `namespace ${this.ns} is gone`);
  }

  async restore(backupId: string, signal: AbortSignal): Promise<void> {
    const velero = this.config.veleroNamespace;
    const name = `${backupId}-restore`;
    await this.client.createCustom('velero.io', 'v1', velero, 'restores', { apiVersion: 'velero.io/v1', kind: 'Restore', metadata: { name, namespace: velero }, spec: { backupName: backupId } });
    this.sink('restore.started', `Velero Restore ${name} from ${backupId}`);
    await this.waitVelero('restores', name, signal);
    this.sink('restore.completed', `Velero Restore ${name} Completed`);
  }

  private async waitVelero(plural: 'backups' | 'restores', name: string, signal: AbortSignal): Promise<void> {
    if (this.client.dryRun) return;
    await this.until(async () => {
      const phase = (await this.client.getCustom('velero.io', 'v1', this.config.veleroNamespace, plural, name)).status?.phase;
      if (phase === 'Failed' || phase === 'PartiallyFailed' || phase === 'FailedValidation') throw new GoliveError('GOLIVE_PLATFORM_FAILED', `Velero ${plural.slice(0, -1)} ${name} ended ${phase}: see \`velero ${plural.slice(0, -1)} describe ${name} --details\``);
      return phase === 'Completed';
    }, 1_800_000, signal, `Velero ${plural.slice(0, -1)} ${name} to complete`);
  }

  async reset(signal: AbortSignal): Promise<void> {
    await this.destroy(signal);
    this.sink('reset', `namespace ${this.ns} deleted: the environment is empty`);
  }

  async deployFromRepo(options: { repo: string; build?: string | undefined; command?: string | undefined }, signal: AbortSignal): Promise<void> {
    if (!options.command) throw new GoliveError('GOLIVE_USAGE', "redeploy on kubernetes needs a deploy command: redeploy: { command: 'kubectl apply -k deploy/' }");
    const repo = path.resolve(this.options.baseDir, options.repo);
    const clone = mkdtempSync(path.join(tmpdir(), 'golive-redeploy-'));
    this.tempDirs.push(clone);
    this.sink('deploy.clone', `git clone ${repo} at HEAD (committed files only) → ${clone}`);
    await run('git', ['clone', '--quiet', '--no-hardlinks', repo, clone]);
    this.sink('deploy.command', options.command);
    await this.options.hooks.run(options.command, {
      GOLIVE_NAMESPACE: this.ns,
      ...(this.config.kubeconfig ? { KUBECONFIG: path.resolve(this.options.baseDir, this.config.kubeconfig) } : {}),
      ...(this.client.context ? { GOLIVE_KUBE_CONTEXT: this.client.context } : {}),
    }, signal, clone);
    if (this.client.dryRun) return;
    await this.until(async () => {
      if (!(await this.client.namespaceExists(this.ns))) return false;
      const all = [...await this.client.listDeployments(this.ns), ...await this.client.listStatefulSets(this.ns)];
      return all.length > 0 && all.every(rolloutComplete);
    }, 1_800_000, signal, `every Deployment and StatefulSet in ${this.ns} to be available`);
  }

  private assertMayDestroy(): void {
    if (!this.options.allowDestroy) throw new GoliveError('GOLIVE_USAGE', `deleting namespace ${this.ns} needs consent: --allow-destroy`);
    if (PROTECTED_NAMESPACES.includes(this.ns)) throw new GoliveError('GOLIVE_USAGE', `refusing to delete namespace ${this.ns}`);
  }

  sampleCapacity(signal: AbortSignal): { stop(): Promise<CapacityReport> } {
    return startCapacitySampling(this.client, this.ns, this.selector, signal);
  }

  // ── undo ──────────────────────────────────────────────────────────────────────────────────────────────

  async stop(): Promise<string[]> {
    const failures: string[] = [];
    for (const item of [...this.undo].reverse()) {
      try {
        await this.undoOne(item);
      } catch (err) {
        failures.push(`could not undo "${item.entry.change}": ${(err as Error).message}. By hand: ${item.entry.undo}`);
      }
    }
    await this.observer?.stop();
    for (const dir of this.tempDirs) rmSync(dir, { recursive: true, force: true });
    return failures;
  }

  private record(change: string, manual: string, undo: K8sUndo): JournalEntry {
    if (this.client.dryRun) {
      // Nothing will change, so there is nothing to undo: keep the journal empty.
      return { id: 0, at: '', change, undo: manual, action: { kind: 'k8s', description: change, undo }, undone: true };
    }
    const entry = this.options.journal.record(change, manual, {
      kind: 'k8s', description: change, undo, context: this.client.context,
      ...(this.config.kubeconfig ? { kubeconfig: path.resolve(this.options.baseDir, this.config.kubeconfig) } : {}),
    });
    this.undo.push({ entry, change: undo });
    return entry;
  }

  private forget(entry: JournalEntry): void {
    const i = this.undo.findIndex((u) => u.entry === entry);
    if (i >= 0) this.undo.splice(i, 1);
  }

  private async undoOne(item: { entry: JournalEntry; change: K8sUndo }): Promise<void> {
    await undoChange(this.client, item.change);
    if (item.entry.id !== 0) this.options.journal.markUndone(item.entry);
    this.forget(item.entry);
    this.sink('undo', item.entry.undo);
  }

  private async until(done: () => Promise<boolean>, timeoutMs: number, signal: AbortSignal, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await done())) {
      if (signal.aborted) throw new Error('interrupted');
      if (Date.now() > deadline) throw new GoliveError('GOLIVE_PLATFORM_FAILED', `timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`);
      await sleep(POLL_MS, signal);
    }
  }
}

/** Undoes one journalled cluster change: used at the end of a run and by `golive recover`. */
export async function undoChange(client: KubeClient, c: K8sUndo): Promise<void> {
  switch (c.op) {
    case 'uncordon':
      await client.patchNode(c.node, { spec: { unschedulable: null } }, 'uncordon (undo)');
      return;
    case 'remove-taint': {
      const node: KNode = await client.getNode(c.node);
      const taints = node.spec?.taints ?? [];
      if (taints.some((t) => t.key === c.key)) await client.patchNode(c.node, { spec: { taints: taints.filter((t) => t.key !== c.key) } }, `remove taint ${c.key} (undo)`);
      return;
    }
    case 'scale':
      await client.patchWorkload(c.kind, c.namespace, c.name, { spec: { replicas: c.replicas } }, `replicas back to ${c.replicas} (undo)`);
      return;
    case 'delete-job':
      await client.deleteJob(c.namespace, c.name);
      return;
    case 'delete-configmap':
      await client.deleteConfigMap(c.namespace, c.name);
      return;
    case 'env':
      await client.patchWorkload(c.kind, c.namespace, c.name, { spec: { template: { spec: { containers: [{ name: c.container, env: [c.value === null ? { name: c.env, $patch: 'delete' } : { name: c.env, value: c.value }] }] } } } }, `env ${c.env} back (undo)`);
      return;
  }
}

/** `kubectl rollout status`: observed the latest generation, every replica updated, every one available. */
export function rolloutComplete(w: KWorkload): boolean {
  const s = w.status ?? {};
  const want = w.spec?.replicas ?? 1;
  return (s.observedGeneration ?? 0) >= (w.metadata.generation ?? 0)
    && (s.updatedReplicas ?? 0) >= want
    && (s.replicas ?? 0) <= want
    && (s.availableReplicas ?? s.readyReplicas ?? 0) >= want;
}

function isDaemonSetPod(p: KPod): boolean {
  return p.metadata.ownerReferences?.some((o) => o.kind === 'DaemonSet') ?? false;
}

function isMirrorPod(p: KPod): boolean {
  return Boolean(p.metadata.annotations?.['kubernetes.io/config.mirror']);
}

function usesEmptyDir(p: KPod): boolean {
  return p.spec?.volumes?.some((v) => v.emptyDir !== undefined) ?? false;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) { reject(new Error('interrupted')); return; }
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => { clearTimeout(t); reject(new Error('interrupted')); }, { once: true });
  });
}

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    child.on('error', (e) => reject(new GoliveError('GOLIVE_PLATFORM_FAILED', `${cmd}: ${e.message}`)));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new GoliveError('GOLIVE_PLATFORM_FAILED', `${cmd} ${args.join(' ')} failed: ${err.trim()}`))));
  });
}

