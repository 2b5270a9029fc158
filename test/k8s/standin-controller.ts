/**
 * The controllers and kubelets of the stand-in cluster, as a loop in the test process: Deployments roll
 * (maxSurge/maxUnavailable, Recreate), the scheduler places pods on schedulable untainted Ready nodes
 * spreading over zones, kubelets mark pods Ready after a short delay and remove terminating pods after
 * their grace (shortened), NoExecute taints evict pods (after tolerationSeconds), namespaces delete their
 * objects, Velero Backups and Restores move through their phases. Also the app's Service: an HTTP server
 * that answers 200 while a ready, non-terminating pod exists and 503 otherwise.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { isReadyObj, type Obj, type StandInApiServer } from './standin-api-server.js';
import { tempDir } from '../helpers/temp-dir.js';

/** The worker this checkout built (tests run from .build/). */
const WORKER_MAIN = path.resolve(import.meta.dirname, '../../src/engine/worker/process-main.js');

export interface ControllerOptions {
  /** From scheduled to Ready. */
  readyDelayMs?: number;
  /** How long a terminating pod lingers (its grace period, shortened for tests); 0-grace deletes are immediate. */
  terminationMs?: number;
  tickMs?: number;
}

export class StandInController {
  private timer: NodeJS.Timeout | undefined;
  private readonly readySince = new Map<string, number>();
  private readonly backups = new Map<string, Obj[]>();
  private readonly opts: Required<ControllerOptions>;
  private service: http.Server | undefined;

  constructor(
    private readonly api: StandInApiServer,
    options: ControllerOptions = {},
  ) {
    this.opts = { readyDelayMs: 150, terminationMs: 300, tickMs: 40, ...options };
  }

  start(): void {
    this.timer = setInterval(() => this.tick(), this.opts.tickMs);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.service) {
      this.service.closeAllConnections();
      await new Promise((r) => this.service!.close(r));
    }
  }

  /** Requests the app's Service received. */
  serviceRequests = 0;

  /** The app's Service: 200 from a ready pod, 503 when there is none. */
  async serve(namespace: string, labels: Record<string, string>): Promise<string> {
    this.service = http.createServer((_req, res) => {
      this.serviceRequests++;
      const up = this.api.list('pods', namespace).filter((p) => labelsMatch(p, labels) && isReadyObj(p) && !p.metadata['deletionTimestamp']);
      res.statusCode = up.length ? 200 : 503;
      res.end(up.length ? `ok from ${up[0]!.metadata.name}` : 'no endpoints');
    });
    await new Promise<void>((r) => this.service!.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.service.address() as AddressInfo).port}`;
  }

  /** A node goes NotReady, then Ready again after `ms` (a reboot). */
  reboot(node: string, ms: number): void {
    this.setNodeReady(node, false);
    setTimeout(() => this.setNodeReady(node, true), ms);
  }

  setNodeReady(name: string, ready: boolean): void {
    const n = this.api.get('nodes', '', name);
    if (n) this.api.put('nodes', { ...n, status: { ...n['status'], conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] } });
  }

  tick(): void {
    const now = Date.now();
    this.namespaces(now);
    for (const d of this.api.list('deployments')) this.deployment(d);
    this.schedule();
    this.kubelet(now);
    this.taintEviction(now);
    this.disruptionBudgets();
    this.velero();
    this.jobs();
  }

  private readonly processes = new Map<string, ChildProcess>();

  /**
   * Indexed Jobs: a pod per completion index, run for real as a local process of the container's command's
   * golive worker (the built one in this checkout), its stdout kept as the pod's log.
   */
  private jobs(): void {
    for (const job of this.api.list('jobs')) {
      const ns = job.metadata.namespace!;
      const count = Number(job['spec']?.completions ?? 1);
      for (let i = 0; i < count; i++) {
        const podName = `${job.metadata.name}-${i}`;
        if (this.api.get('pods', ns, podName) || this.processes.has(`${ns}/${podName}`) || job.metadata['startedIndexes']?.includes(i)) continue;
        job.metadata['startedIndexes'] = [...(job.metadata['startedIndexes'] ?? []), i];
        this.runWorkerPod(job, i, podName);
      }
      // Deleting a Job deletes its pods (background propagation).
    }
    for (const p of this.api.list('pods').filter((x) => x.metadata['labels']?.['job-name'])) {
      const key = `${p.metadata.namespace}/${p.metadata.name}`;
      const proc = this.processes.get(key);
      if (!this.api.get('jobs', p.metadata.namespace!, p.metadata['labels']['job-name'])) proc?.kill('SIGTERM');
      if (p.metadata['deletionTimestamp'] && proc && !p.metadata['signalled']) {
        p.metadata['signalled'] = true;
        proc.kill(Number(p.metadata['deletionGracePeriodSeconds']) === 0 ? 'SIGKILL' : 'SIGTERM');
      }
    }
  }

  private runWorkerPod(job: Obj, index: number, podName: string): void {
    const ns = job.metadata.namespace!;
    const spec = job['spec'].template.spec;
    const cm = this.api.get('configmaps', ns, spec.volumes?.[0]?.configMap?.name ?? '');
    const dir = tempDir('standin-pod-');
    writeFileSync(path.join(dir, 'plan.json'), cm?.['data']?.['plan.json'] ?? '{}');
    const labels = { ...job['spec'].template.metadata?.labels, 'job-name': job.metadata.name, 'batch.kubernetes.io/job-completion-index': String(index) };
    this.api.put('pods', {
      metadata: { name: podName, namespace: ns, labels, ownerReferences: [{ kind: 'Job', name: job.metadata.name, controller: true }] },
      spec: { ...spec, nodeName: this.api.list('nodes')[0]?.metadata.name },
      status: { phase: 'Pending' },
    });
    const key = `${ns}/${podName}`;
    const logs = { text: '', ended: false, followers: new Set<(chunk: string | null) => void>() };
    this.api.podLogs.set(key, logs);
    const proc = spawn(process.execPath, [WORKER_MAIN, '--plan', path.join(dir, 'plan.json')], {
      env: { ...process.env, JOB_COMPLETION_INDEX: String(index) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    this.processes.set(key, proc);
    proc.stdout.setEncoding('utf8');
    proc.stdout.on('data', (chunk: string) => {
      logs.text += chunk;
      for (const f of logs.followers) f(chunk);
    });
    const pod = this.api.get('pods', ns, podName)!;
    this.api.put('pods', { ...pod, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } });
    proc.on('exit', (code) => {
      logs.ended = true;
      for (const f of logs.followers) f(null);
      this.processes.delete(key);
      const now = this.api.get('pods', ns, podName);
      if (now?.metadata['deletionTimestamp']) this.api.remove('pods', ns, podName);
      else if (now) this.api.put('pods', { ...now, status: { phase: code === 0 ? 'Succeeded' : 'Failed', conditions: [] } });
    });
  }

  /** Kills a worker pod's process as a node failure would (no SIGTERM, no final snapshot). */
  killPodProcess(namespace: string, pod: string): boolean {
    return this.processes.get(`${namespace}/${pod}`)?.kill('SIGKILL') ?? false;
  }

  /** The disruption controller: each PDB's status from the healthy pods it selects. */
  private disruptionBudgets(): void {
    for (const pdb of this.api.list('poddisruptionbudgets')) {
      const sel = pdb['spec']?.selector?.matchLabels ?? {};
      const healthy = this.api
        .list('pods', pdb.metadata.namespace)
        .filter((p) => labelsMatch(p, sel) && isReadyObj(p) && !p.metadata['deletionTimestamp']).length;
      const desired = Number(pdb['spec']?.minAvailable ?? 0);
      const status = { currentHealthy: healthy, desiredHealthy: desired, disruptionsAllowed: Math.max(0, healthy - desired) };
      if (JSON.stringify(pick(pdb['status'] ?? {}, Object.keys(status))) !== JSON.stringify(status)) this.api.put('poddisruptionbudgets', { ...pdb, status });
    }
  }

  private deployment(d: Obj): void {
    const ns = d.metadata.namespace!;
    const spec = d['spec'];
    const want: number = spec.replicas ?? 1;
    const hash = createHash('sha1').update(JSON.stringify(spec.template)).digest('hex').slice(0, 8);
    const sel: Record<string, string> = spec.selector.matchLabels;
    const pods = this.api.list('pods', ns).filter((p) => labelsMatch(p, sel));
    const live = pods.filter((p) => !p.metadata['deletionTimestamp']);
    const fresh = live.filter((p) => p.metadata['labels']?.['pod-template-hash'] === hash);
    const old = live.filter((p) => p.metadata['labels']?.['pod-template-hash'] !== hash);
    const recreate = spec.strategy?.type === 'Recreate';
    const surge = recreate ? 0 : intOr(spec.strategy?.rollingUpdate?.maxSurge, want, 1);
    const unavailable = recreate ? want : intOr(spec.strategy?.rollingUpdate?.maxUnavailable, want, 0);
    if (recreate && old.length > 0) {
      for (const p of old) this.deletePod(p);
    } else if (!(recreate && pods.some((p) => p.metadata['deletionTimestamp'] && p.metadata['labels']?.['pod-template-hash'] !== hash))) {
      let toCreate = Math.min(want - fresh.length, want + surge - live.length);
      if (old.length === 0) toCreate = want - fresh.length;
      for (let i = 0; i < toCreate; i++) this.createPod(d, hash);
      const ready = live.filter(isReadyObj).length;
      let canRemove = ready - (want - unavailable);
      for (const p of [...old].sort((a, b) => Number(isReadyObj(a)) - Number(isReadyObj(b)))) {
        if (isReadyObj(p) && canRemove <= 0) break;
        if (isReadyObj(p)) canRemove--;
        this.deletePod(p);
      }
      for (const p of fresh.slice(want)) this.deletePod(p);
    }
    const all = this.api.list('pods', ns).filter((p) => labelsMatch(p, sel) && !p.metadata['deletionTimestamp']);
    const status = {
      observedGeneration: d.metadata['generation'],
      replicas: all.length,
      updatedReplicas: all.filter((p) => p.metadata['labels']?.['pod-template-hash'] === hash).length,
      readyReplicas: all.filter(isReadyObj).length,
      availableReplicas: all.filter(isReadyObj).length,
    };
    if (JSON.stringify(status) !== JSON.stringify({ ...pick(d['status'] ?? {}, Object.keys(status)) }))
      this.api.put('deployments', { ...d, status: { ...d['status'], ...status } });
  }

  private createPod(d: Obj, hash: string): void {
    const t = d['spec'].template;
    const name = `${d.metadata.name}-${hash.slice(0, 5)}-${Math.random().toString(36).slice(2, 7)}`;
    this.api.put('pods', {
      metadata: {
        name,
        namespace: d.metadata.namespace,
        labels: { ...t.metadata?.labels, 'pod-template-hash': hash },
        ownerReferences: [{ kind: 'ReplicaSet', name: `${d.metadata.name}-${hash}`, controller: true }],
      },
      spec: { ...t.spec, terminationGracePeriodSeconds: t.spec?.terminationGracePeriodSeconds ?? 30 },
      status: { phase: 'Pending', conditions: [] },
    });
    this.event(d.metadata.namespace!, 'SuccessfulCreate', `Created pod: ${name}`, name);
  }

  private deletePod(p: Obj): void {
    this.api.put('pods', {
      ...p,
      metadata: { ...p.metadata, deletionTimestamp: new Date().toISOString(), deletionGracePeriodSeconds: p['spec']?.terminationGracePeriodSeconds ?? 30 },
    });
  }

  private schedule(): void {
    const nodes = this.api
      .list('nodes')
      .filter(
        (n) =>
          !n['spec']?.unschedulable &&
          nodeIsReady(n) &&
          !(n['spec']?.taints ?? []).some((t: { effect: string }) => t.effect === 'NoSchedule' || t.effect === 'NoExecute'),
      );
    for (const p of this.api.list('pods')) {
      if (p['spec']?.nodeName || p.metadata['deletionTimestamp'] || p.metadata['labels']?.['job-name']) continue;
      if (nodes.length === 0) continue; // stays Pending
      const count = (zone: string): number =>
        this.api
          .list('pods', p.metadata.namespace)
          .filter((q) => !q.metadata['deletionTimestamp'] && q['spec']?.nodeName && zoneOf(this.api.get('nodes', '', q['spec'].nodeName)) === zone).length;
      const node = [...nodes].sort((a, b) => count(zoneOf(a)) - count(zoneOf(b)) || a.metadata.name.localeCompare(b.metadata.name))[0]!;
      this.api.put('pods', { ...p, spec: { ...p['spec'], nodeName: node.metadata.name } });
      this.readySince.set(p.metadata.name, Date.now() + this.opts.readyDelayMs);
      this.event(
        p.metadata.namespace!,
        'Scheduled',
        `Successfully assigned ${p.metadata.namespace}/${p.metadata.name} to ${node.metadata.name}`,
        p.metadata.name,
      );
    }
  }

  private kubelet(now: number): void {
    for (const p of this.api.list('pods')) {
      const ns = p.metadata.namespace!;
      if (p.metadata['deletionTimestamp'] && this.processes.has(`${ns}/${p.metadata.name}`)) continue; // a process pod ends when its process does
      if (p.metadata['deletionTimestamp']) {
        const grace = Number(p.metadata['deletionGracePeriodSeconds'] ?? 30);
        const since = Date.parse(p.metadata['deletionTimestamp']);
        if (grace === 0 || now - since >= this.opts.terminationMs) {
          this.api.remove('pods', ns, p.metadata.name);
          this.readySince.delete(p.metadata.name);
        } else if (isReadyObj(p)) {
          this.api.put('pods', { ...p, status: { ...p['status'], conditions: [{ type: 'Ready', status: 'False' }] } });
        }
        continue;
      }
      if (p.metadata['labels']?.['job-name']) continue; // worker pods: their process decides
      const node = p['spec']?.nodeName ? this.api.get('nodes', '', p['spec'].nodeName) : undefined;
      // An unreachable node's kubelet reports nothing: the node controller marks its pods not Ready.
      const unreachable = (node?.['spec']?.taints ?? []).some((t: { key: string }) => t.key === 'node.kubernetes.io/unreachable');
      if (node && (unreachable || !nodeIsReady(node)) && isReadyObj(p)) {
        this.api.put('pods', { ...p, status: { ...p['status'], conditions: [{ type: 'Ready', status: 'False' }] } });
        continue;
      }
      const due = this.readySince.get(p.metadata.name);
      if (node && nodeIsReady(node) && !unreachable && !isReadyObj(p) && due !== undefined && now >= due) {
        this.api.put('pods', { ...p, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } });
      }
    }
  }

  private taintEviction(now: number): void {
    for (const n of this.api.list('nodes')) {
      const taints: { key: string; effect: string; timeAdded?: string }[] = (n['spec']?.taints ?? []).filter(
        (t: { effect: string }) => t.effect === 'NoExecute',
      );
      if (taints.length === 0) continue;
      for (const p of this.api.list('pods').filter((q) => q['spec']?.nodeName === n.metadata.name && !q.metadata['deletionTimestamp'])) {
        for (const t of taints) {
          const tol = (p['spec']?.tolerations ?? []).find((x: { key?: string; effect?: string }) => x.key === t.key && (!x.effect || x.effect === 'NoExecute'));
          // Pods tolerate the node-controller taints for 300 s unless their spec says otherwise (DefaultTolerationSeconds).
          const seconds = tol ? tol.tolerationSeconds : t.key.startsWith('node.kubernetes.io/') ? 300 : 0;
          const added = n.metadata['taintsAdded']?.[t.key] ?? now;
          if (seconds !== undefined && now - added >= seconds * 1000) this.deletePod(p);
        }
      }
      const stamps = { ...(n.metadata['taintsAdded'] ?? {}) };
      let changed = false;
      for (const t of taints)
        if (stamps[t.key] === undefined) {
          stamps[t.key] = now;
          changed = true;
        }
      if (changed) this.api.put('nodes', { ...n, metadata: { ...n.metadata, taintsAdded: stamps } });
    }
  }

  private namespaces(now: number): void {
    for (const ns of this.api.list('namespaces')) {
      if (!ns.metadata['deletionTimestamp'] || now - Date.parse(ns.metadata['deletionTimestamp']) < 200) continue;
      for (const r of ['pods', 'deployments', 'statefulsets', 'poddisruptionbudgets', 'events']) {
        for (const o of this.api.list(r, ns.metadata.name)) this.api.remove(r, ns.metadata.name, o.metadata.name);
      }
      this.api.remove('namespaces', '', ns.metadata.name);
    }
  }

  private velero(): void {
    for (const b of this.api.list('backups')) {
      if (b['status']?.phase) continue;
      const included: string[] = b['spec']?.includedNamespaces ?? [];
      this.backups.set(
        b.metadata.name,
        included.flatMap((ns) => [
          ...(this.api.get('namespaces', '', ns) ? [{ resource: 'namespaces', obj: this.api.get('namespaces', '', ns)! }] : []),
          ...['deployments', 'poddisruptionbudgets'].flatMap((r) => this.api.list(r, ns).map((obj) => ({ resource: r, obj }))),
        ]) as never,
      );
      this.api.put('backups', { ...b, status: { phase: 'Completed' } });
    }
    for (const r of this.api.list('restores')) {
      if (r['status']?.phase) continue;
      const items = this.backups.get(r['spec']?.backupName) as unknown as { resource: string; obj: Obj }[] | undefined;
      if (!items) {
        this.api.put('restores', { ...r, status: { phase: 'Failed' } });
        continue;
      }
      if (items.some((i) => i.resource === 'namespaces' && this.api.get('namespaces', '', i.obj.metadata.name)?.metadata['deletionTimestamp'])) continue;
      for (const i of items) {
        const { resourceVersion: _rv, deletionTimestamp: _d, ...meta } = i.obj.metadata;
        this.api.put(i.resource, { ...i.obj, metadata: meta, ...(i.resource === 'deployments' ? { status: {} } : {}) });
      }
      this.api.put('restores', { ...r, status: { phase: 'Completed' } });
    }
  }

  private event(namespace: string, reason: string, message: string, name: string): void {
    this.api.put('events', {
      metadata: { name: `${name}.${Date.now()}${Math.random().toString(36).slice(2, 5)}`, namespace },
      involvedObject: { kind: 'Pod', name },
      reason,
      message,
      type: 'Normal',
    });
  }
}

/** A small cluster: `zones` zones of `perZone` nodes, a namespace, a Deployment, optionally a PDB. */
export function seedCluster(
  api: StandInApiServer,
  o: {
    zones: number;
    perZone: number;
    namespace: string;
    name: string;
    replicas: number;
    minAvailable?: number;
    strategy?: object;
    tolerationSeconds?: number;
  },
): void {
  for (let z = 0; z < o.zones; z++) {
    for (let i = 0; i < o.perZone; i++) {
      const zone = `zone-${String.fromCharCode(97 + z)}`;
      api.put('nodes', {
        metadata: {
          name: `node-${zone.slice(-1)}${i + 1}`,
          labels: { 'topology.kubernetes.io/zone': zone, 'kubernetes.io/hostname': `node-${zone.slice(-1)}${i + 1}` },
        },
        spec: {},
        status: { conditions: [{ type: 'Ready', status: 'True' }], allocatable: { cpu: '4', memory: '16Gi' } },
      });
    }
  }
  api.put('namespaces', { metadata: { name: o.namespace }, spec: {}, status: { phase: 'Active' } });
  const labels = { app: o.name };
  api.put('deployments', {
    metadata: { name: o.name, namespace: o.namespace },
    spec: {
      replicas: o.replicas,
      selector: { matchLabels: labels },
      strategy: o.strategy ?? { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      template: {
        metadata: { labels },
        spec: {
          containers: [{ name: 'app', image: 'demo:1', resources: { requests: { cpu: '500m', memory: '64Mi' }, limits: { cpu: '1', memory: '128Mi' } } }],
          ...(o.tolerationSeconds !== undefined
            ? { tolerations: [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: o.tolerationSeconds }] }
            : {}),
        },
      },
    },
    status: {},
  });
  if (o.minAvailable !== undefined)
    api.put('poddisruptionbudgets', {
      metadata: { name: `${o.name}-pdb`, namespace: o.namespace },
      spec: { minAvailable: o.minAvailable, selector: { matchLabels: labels } },
      status: {},
    });
}

function labelsMatch(p: Obj, sel: Record<string, string>): boolean {
  return Object.entries(sel).every(([k, v]) => p.metadata['labels']?.[k] === v);
}

function nodeIsReady(n: Obj): boolean {
  return (n['status']?.conditions ?? []).some((c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True');
}

function zoneOf(n: Obj | undefined): string {
  return n?.metadata['labels']?.['topology.kubernetes.io/zone'] ?? '';
}

function intOr(v: unknown, of: number, fallback: number): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.endsWith('%')) return Math.ceil((Number(v.slice(0, -1)) / 100) * of);
  return fallback;
}

function pick(o: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((k) => k in o).map((k) => [k, o[k]]));
}
