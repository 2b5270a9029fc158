/**
 * node-drain on Kubernetes, as `kubectl drain` does it: cordon, evict every pod through the Eviction API
 * (disruption budgets honoured: a 429 is retried on our schedule and reported with the budget's numbers),
 * then — unlike kubectl — wait until every evicted pod's workload (in the namespace) and every workload of
 * the system is available again, reboot if asked, and uncordon.
 */
import { sleep, throwIfAborted } from '../../abortable.js';
import { GoliveError } from '../../errors.js';
import type { NodeDrainOptions } from '../platform.js';
import { rebootNode } from '../shared/reboot.js';
import { describeShortfall, waitAvailable } from './rollout.js';
import type { K8sScope } from './scope.js';
import { label, listWorkloads, ownerOf, sameWorkload, type SystemWorkload } from './system.js';
import { isTerminating, nodeReady, type KPod } from './types.js';

export async function drainNode(s: K8sScope, node: string, options: NodeDrainOptions, signal: AbortSignal): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  const uncordon = s.record(`cordoned node ${node}`, `kubectl uncordon ${node}`, { op: 'uncordon', node });
  await s.client.patchNode(node, { spec: { unschedulable: true } }, 'cordon');
  const pods = (await s.client.listPodsOnNode(node)).filter((p) => !isDaemonSetPod(p) && !isMirrorPod(p) && !isTerminating(p));
  const skipped = pods.filter((p) => usesEmptyDir(p) && !s.config.drain.deleteEmptyDirData);
  if (skipped.length)
    throw new GoliveError(
      'GOLIVE_PLATFORM_FAILED',
      `pods on ${node} use emptyDir (${skipped.map((p) => p.metadata.name).join(', ')}) and drain.deleteEmptyDirData is false`,
    );
  for (const pod of pods) await evict(s, pod, deadline, options.timeoutMs, node, signal);
  if (!s.client.dryRun) {
    await s.until(
      async () => (await s.client.listPodsOnNode(node)).filter((p) => pods.some((q) => q.metadata.name === p.metadata.name)).length === 0,
      Math.max(0, deadline - Date.now()),
      signal,
      `evicted pods to leave ${node}`,
    );
    // kubectl drain stops here; golive waits for the replacements of every workload it evicted from, so the
    // next node is drained from a healthy state (a replacement not yet Ready is never the next one evicted).
    const waitFor = await workloadsToWaitFor(s, pods);
    const started = Date.now();
    const short = await waitAvailable(s, waitFor, Math.max(0, deadline - Date.now()), signal);
    const waited = short.length ? `; waited ${((Date.now() - started) / 1000).toFixed(1)} s for ${short.map(describeShortfall).join(', ')}` : '';
    s.sink('node.drained', `every pod evicted and ${waitFor.map(label).join(', ')} available again${waited}`, node);
  }
  if (options.reboot) {
    await rebootNode(options.reboot, node, { hooks: s.hooks, sink: s.sink, env: { GOLIVE_NAMESPACE: s.ns } }, signal);
    if (!s.client.dryRun)
      await s.until(async () => nodeReady(await s.client.getNode(node)), s.config.drain.nodeReadyTimeout, signal, `node ${node} to be Ready after its reboot`);
  }
  await uncordon();
}

/** The system's workloads, and the workloads in the namespace whose pods were evicted (those of other namespaces are not golive's to read). */
async function workloadsToWaitFor(s: K8sScope, evicted: readonly KPod[]): Promise<SystemWorkload[]> {
  const owners = evicted.filter((p) => (p.metadata.namespace ?? s.ns) === s.ns).flatMap((p) => ownerOf(p) ?? []);
  const outside = owners.filter((o, i) => !s.system.some((w) => sameWorkload(w, o)) && owners.findIndex((x) => sameWorkload(x, o)) === i);
  if (!outside.length) return s.system;
  // One deleted meanwhile has nothing to wait for.
  const present = await listWorkloads(s.client, s.ns, [...new Set(outside.map((o) => o.kind))]);
  return [...s.system, ...outside.filter((o) => present.some((p) => sameWorkload(p, o)))];
}

async function evict(s: K8sScope, pod: KPod, deadline: number, timeoutMs: number, node: string, signal: AbortSignal): Promise<void> {
  const ns = pod.metadata.namespace ?? s.ns;
  for (let attempt = 1; ; attempt++) {
    throwIfAborted(signal, `evicting ${ns}/${pod.metadata.name}`);
    const result = await s.client.evictPod(ns, pod.metadata.name);
    if (result !== 'blocked') {
      s.sink(
        'eviction',
        result === 'gone' ? 'already gone' : `evicted${usesEmptyDir(pod) ? ' (its emptyDir data is lost)' : ''}`,
        `${ns}/${pod.metadata.name}`,
      );
      return;
    }
    const pdb = await blockingPdb(s, pod);
    if (Date.now() > deadline) {
      throw new GoliveError(
        'GOLIVE_PLATFORM_FAILED',
        `draining ${node} timed out after ${timeoutMs} ms: eviction of ${ns}/${pod.metadata.name} is still blocked by PodDisruptionBudget ${pdb}`,
      );
    }
    // 429 carries no Retry-After: retry on our own schedule, and say so every time.
    s.sink(
      'eviction.blocked',
      `eviction ${attempt} refused (429): PodDisruptionBudget ${pdb} allows no disruption now; retrying in ${s.config.drain.retryEvery} ms`,
      `${ns}/${pod.metadata.name}`,
    );
    await sleep(s.config.drain.retryEvery, signal, `retrying the eviction of ${ns}/${pod.metadata.name}`);
  }
}

async function blockingPdb(s: K8sScope, pod: KPod): Promise<string> {
  const ns = pod.metadata.namespace ?? s.ns;
  const labels = pod.metadata.labels ?? {};
  const pdbs = await s.client.listPdbs(ns);
  const match = pdbs.find((p) => Object.entries(p.spec?.selector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v));
  if (!match) return '(none found: the API server refused the eviction)';
  const limit = match.spec?.minAvailable !== undefined ? `minAvailable ${match.spec.minAvailable}` : `maxUnavailable ${match.spec?.maxUnavailable}`;
  return `${ns}/${match.metadata.name} (${limit}, ${match.status?.currentHealthy ?? '?'} healthy, ${match.status?.disruptionsAllowed ?? 0} disruptions allowed)`;
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
