/**
 * Nodes and zones of the local platform: a drain (cordon, evict with the disruption budget honoured,
 * optional reboot, uncordon) and the loss of a zone (its replicas killed at once but kept in rotation
 * until the detection delay has passed, as endpoints are; then replaced in the other zones).
 */
import { GoliveError } from '../../errors.js';
import type { HookRunner, NodeDrainOptions, ZoneInfo, ZoneOutageMode } from '../platform.js';
import { rebootNode } from '../shared/reboot.js';
import type { SimCluster } from './cluster.js';
import type { ReplicaSet } from './replica-set.js';

/** Cordons the node, evicts every component's replicas there (each budget honoured), waits for every component, optionally reboots it, uncordons. */
export async function drainNode(
  system: readonly ReplicaSet[],
  cluster: SimCluster,
  hooks: HookRunner,
  name: string,
  options: NodeDrainOptions,
  signal: AbortSignal,
): Promise<void> {
  const node = cluster.node(name);
  const deadline = Date.now() + options.timeoutMs;
  const sink = system[0]!.sink.bind(system[0]);
  node.schedulable = false;
  sink('node.cordoned', 'cordoned: no new replicas', name);
  // A component that can run nowhere else (pinned to this node's zone, no other node there) waits for the node,
  // as a pod bound to a zonal volume stays Pending until its node is uncordoned.
  const waitsForNode = system.filter(
    (rs) => rs.alive().some((r) => r.spec.node === name) && !cluster.nodes.some((n) => n.name !== name && n.up && canRun(rs, n.zone)),
  );
  try {
    for (const rs of system) await evictFrom(rs, name, deadline, signal);
    if (waitsForNode.length > 0)
      sink(
        'zone.stuck',
        `${waitsForNode.map((rs) => rs.name).join(', ')} can run only on ${name} (its zone ${node.zone} has no other node): back when the node is`,
        name,
      );
    // Every other component Ready again before the node is handed back: a drain of the next node must not find one short.
    for (const rs of system) if (!waitsForNode.includes(rs)) await rs.waitReady(Math.max(0, deadline - Date.now()), signal);
    if (options.reboot) {
      await rebootNode(
        options.reboot,
        name,
        {
          hooks,
          sink,
          env: { GOLIVE_ZONE: node.zone },
          onDown: () => {
            node.up = false;
          },
        },
        signal,
      );
      node.up = true;
      sink('node.ready', 'back up and Ready', name);
    }
  } finally {
    node.schedulable = true;
    node.up = true;
    sink('node.uncordoned', 'uncordoned', name);
    // Replicas a pinned component could not place while the node was out are started now.
    for (const rs of system) void rs.reconcile();
  }
  for (const rs of waitsForNode) await rs.waitReady(Math.max(0, deadline - Date.now()), signal);
}

function canRun(rs: ReplicaSet, zone: string): boolean {
  return !rs.spec.zones || rs.spec.zones.includes(zone);
}

/** One component's replicas on the node, evicted through its disruption budget. */
async function evictFrom(rs: ReplicaSet, nodeName: string, deadline: number, signal: AbortSignal): Promise<void> {
  const grace = rs.spec.terminationGrace;
  const budget = rs.spec.disruptionBudget?.minAvailable;
  for (const victim of rs.alive().filter((r) => r.spec.node === nodeName && r.state !== 'terminating')) {
    if (budget !== undefined && rs.readyCount() - 1 < budget) {
      rs.sink(
        'eviction.blocked',
        `evicting ${victim.spec.id} would leave fewer than minAvailable=${budget} ready: starting its replacement first`,
        victim.spec.id,
      );
      const replacement = await rs.startReplica();
      await rs.until(
        () => replacement.state === 'ready',
        Math.max(0, deadline - Date.now()),
        signal,
        () => `replacement ${replacement.spec.id} ready before evicting ${victim.spec.id}`,
      );
      rs.sink('eviction', `evicting ${victim.spec.id}`, victim.spec.id);
      await victim.terminate(grace);
    } else {
      rs.sink('eviction', `evicting ${victim.spec.id}`, victim.spec.id);
      const gone = victim.terminate(grace);
      // The controller replaces the evicted replica right away (a pinned component's stays pending if it cannot).
      await rs.startReplica(true);
      await gone;
    }
  }
}

export function zones(system: readonly ReplicaSet[], cluster: SimCluster): ZoneInfo[] {
  return cluster.zones().map((zone) => {
    const nodes = cluster.nodes.filter((n) => n.zone === zone).map((n) => n.name);
    return { zone, nodes, replicas: system.reduce((sum, rs) => sum + rs.alive().filter((r) => nodes.includes(r.spec.node)).length, 0) };
  });
}

/** Loses every node of the zone: every component's replicas there killed at once, kept in rotation until the loss is detected. */
export async function failZone(
  system: readonly ReplicaSet[],
  cluster: SimCluster,
  hooks: HookRunner,
  zone: string,
  mode: ZoneOutageMode,
  signal: AbortSignal,
): Promise<void> {
  const sink = system[0]!.sink.bind(system[0]);
  if (mode.kind === 'run') {
    sink('zone.hook', `running zone hook: ${mode.command}`, zone);
    await hooks.run(mode.command, { GOLIVE_ZONE: zone }, signal);
  }
  const nodes = cluster.nodes.filter((n) => n.zone === zone);
  if (nodes.length === 0) throw new GoliveError('GOLIVE_PLATFORM_UNSUPPORTED', `no zone "${zone}" (zones: ${cluster.zones().join(', ')})`);
  for (const rs of system) rs.pause('zone-loss'); // nobody notices the loss until the detection delay has passed
  for (const n of nodes) {
    n.up = false;
    n.schedulable = false;
  }
  const lost = system.map((rs) => ({ rs, victims: rs.alive().filter((r) => nodes.some((n) => n.name === r.spec.node)) }));
  const count = lost.reduce((sum, l) => sum + l.victims.length, 0);
  const which = lost.filter((l) => l.victims.length > 0).map((l) => `${l.rs.name} ${l.victims.length}`);
  sink('zone.lost', `${zone} lost: ${nodes.length} node(s) down, ${count} replica(s) killed at once${which.length ? ` (${which.join(', ')})` : ''}`, zone);
  for (const { rs, victims } of lost) for (const v of victims) if (v.state === 'ready') rs.unnoticed.add(v);
  // The machines are gone: connections to them go silent first, then the processes die.
  await Promise.all(lost.map(({ rs, victims }) => rs.loseReplicas(victims)));
  await Promise.all(lost.flatMap(({ victims }) => victims.map((r) => r.kill())));
  const delay = system[0]!.clusterConfig.detectionDelay;
  setTimeout(() => {
    if (system.some((rs) => rs.stopped)) return;
    sink('zone.detected', `loss of ${zone} detected after ${delay} ms: its replicas leave rotation and are replaced in the other zones`, zone);
    for (const rs of system) {
      rs.unnoticed.clear();
      rs.updateRotation();
      void rs.resume('zone-loss');
    }
  }, delay);
}

export async function waitZoneEvacuated(system: readonly ReplicaSet[], zone: string, timeoutMs: number, signal: AbortSignal): Promise<void> {
  for (const rs of system)
    await rs.until(
      () => rs.unnoticed.size === 0 && !rs.alive().some((r) => r.spec.zone === zone),
      timeoutMs,
      signal,
      () => `the replicas of ${rs.name} in ${zone} to be replaced`,
    );
}

/** Brings a lost zone's nodes back (what could only run there starts again); a zone that is not lost is left as it is, and said nothing of. */
export function restoreZone(system: readonly ReplicaSet[], cluster: SimCluster, zone: string): void {
  const lost = cluster.nodes.filter((x) => x.zone === zone && !x.up);
  if (lost.length === 0) return;
  for (const n of lost) {
    n.up = true;
    n.schedulable = true;
  }
  system[0]!.sink('zone.restored', `${zone} back: its nodes are Ready`, zone);
  for (const rs of system) void rs.reconcile();
}
