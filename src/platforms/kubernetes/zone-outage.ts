/**
 * zone-outage on Kubernetes: every node of a zone lost at once — `evict` (cordon, a NoExecute taint of
 * golive's, the system's pods there deleted without grace), `unreachable` (the node controller's own taint: pods
 * move when their tolerationSeconds run out), or the user's hook — and the zone brought back.
 */
import { GoliveError } from '../../errors.js';
import type { RunNow } from '../../safety/teardown-stack.js';
import type { ZoneInfo, ZoneOutageMode } from '../platform.js';
import type { K8sScope } from './scope.js';
import { isTerminating, ZONE_LABEL, type Taint } from './types.js';

const ZONE_TAINT_KEY = 'golive.dev/zone-outage';
const UNREACHABLE_TAINT_KEY = 'node.kubernetes.io/unreachable';

export async function zones(s: K8sScope): Promise<ZoneInfo[]> {
  const nodes = (await s.client.listNodes()).items;
  const unlabelled = nodes.filter((n) => !n.metadata.labels?.[ZONE_LABEL]);
  if (unlabelled.length === nodes.length) throw new GoliveError('GOLIVE_PLATFORM_UNSUPPORTED', `no node has the ${ZONE_LABEL} label: zone-outage needs zones`);
  const pods = (await s.systemPods()).filter((p) => !isTerminating(p));
  const byZone = new Map<string, ZoneInfo>();
  for (const n of nodes) {
    const zone = n.metadata.labels?.[ZONE_LABEL];
    if (!zone) continue;
    const z = byZone.get(zone) ?? { zone, nodes: [], replicas: 0 };
    z.nodes.push(n.metadata.name);
    z.replicas += pods.filter((p) => p.spec?.nodeName === n.metadata.name).length;
    byZone.set(zone, z);
  }
  return [...byZone.values()].sort((a, b) => a.zone.localeCompare(b.zone));
}

/** Loses the zone; returns the undos that bring it back (newest last). */
export async function failZone(s: K8sScope, zone: string, mode: ZoneOutageMode, signal: AbortSignal): Promise<RunNow[]> {
  const info = (await zones(s)).find((z) => z.zone === zone);
  if (!info) throw new GoliveError('GOLIVE_PLATFORM_UNSUPPORTED', `no zone "${zone}"`);
  if (mode.kind === 'run') {
    s.sink('zone.hook', `zone hook: ${mode.command}`, zone);
    await s.hooks.run(mode.command, { GOLIVE_ZONE: zone, GOLIVE_NAMESPACE: s.ns }, signal);
    s.sink('zone.lost', `${zone} lost by the hook; golive watches and measures`, zone);
    return [];
  }
  const key = mode.kind === 'evict' ? ZONE_TAINT_KEY : UNREACHABLE_TAINT_KEY;
  const undos: RunNow[] = [];
  for (const node of info.nodes) {
    const current = (await s.client.getNode(node)).spec?.taints ?? [];
    undos.push(s.record(`tainted node ${node} ${key}:NoExecute`, `kubectl taint nodes ${node} ${key}:NoExecute-`, { op: 'remove-taint', node, key }));
    if (mode.kind === 'evict') undos.push(s.record(`cordoned node ${node}`, `kubectl uncordon ${node}`, { op: 'uncordon', node }));
    const taint: Taint = { key, effect: 'NoExecute', ...(mode.kind === 'evict' ? { value: zone } : {}) };
    // node.spec.taints has no merge key: the whole list is sent.
    await s.client.patchNode(
      node,
      { spec: { ...(mode.kind === 'evict' ? { unschedulable: true } : {}), taints: [...current.filter((t) => t.key !== key), taint] } },
      `${mode.kind === 'evict' ? 'cordon + ' : ''}taint ${key}:NoExecute`,
    );
  }
  if (mode.kind === 'evict') {
    const pods = (await s.systemPods()).filter((p) => info.nodes.includes(p.spec?.nodeName ?? ''));
    await Promise.all(pods.map((p) => s.client.deletePod(s.ns, p.metadata.name, 0)));
    s.sink(
      'zone.lost',
      `${zone} (mode evict): ${info.nodes.length} node(s) cordoned and tainted ${ZONE_TAINT_KEY}:NoExecute, ${pods.length} pod(s) deleted without grace`,
      zone,
    );
  } else {
    s.sink(
      'zone.lost',
      `${zone} (mode unreachable): ${info.nodes.length} node(s) tainted ${UNREACHABLE_TAINT_KEY}:NoExecute as the node controller would; pods move when their tolerationSeconds (300 s by default) run out`,
      zone,
    );
  }
  return undos;
}

/**
 * With mode unreachable golive only sets the taint; a node lifecycle controller that still hears from the
 * nodes' kubelets takes it off again (they are Ready), and no pod would ever leave: say so at once, with
 * the remedy, instead of waiting out the recovery budget.
 */
async function failIfTaintRemoved(s: K8sScope, zone: string, nodes: string[], sinceMs: number): Promise<void> {
  for (const name of nodes) {
    const node = await s.client.getNode(name);
    if ((node.spec?.taints ?? []).some((t) => t.key === UNREACHABLE_TAINT_KEY)) continue;
    const ready = (node.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
    const after = ((Date.now() - sinceMs) / 1000).toFixed(1);
    const message = `the ${UNREACHABLE_TAINT_KEY} taint was removed from node ${name} within ${after} s of golive setting it${ready ? ': its kubelet still reports Ready, so the node lifecycle controller does not consider it lost' : ''}`;
    s.sink('zone.taint-removed', message, zone);
    throw new GoliveError(
      'GOLIVE_PLATFORM_UNSUPPORTED',
      `${message}. Make the zone really unreachable (zone-outage mode: { run: '<your command>' } that stops the zone's kubelets or blocks their traffic) or use mode: 'evict'.`,
    );
  }
}

export async function waitZoneEvacuated(s: K8sScope, zone: string, timeoutMs: number, signal: AbortSignal, unreachableSinceMs?: number): Promise<void> {
  if (s.client.dryRun) return;
  const nodes = new Set((await zones(s)).find((z) => z.zone === zone)?.nodes ?? []);
  let left: string[] = [];
  await s.until(
    async () => {
      if (unreachableSinceMs !== undefined) await failIfTaintRemoved(s, zone, [...nodes], unreachableSinceMs);
      left = (await s.systemPods()).filter((p) => nodes.has(p.spec?.nodeName ?? '') && !isTerminating(p)).map((p) => p.metadata.name);
      return left.length === 0;
    },
    timeoutMs,
    signal,
    () =>
      `the system's pods in ${zone} to be evicted (with mode unreachable this takes their tolerationSeconds, 300 s by default; still there: ${left.join(', ') || 'not read yet'})`,
  );
}
