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

export async function drainNode(
  rs: ReplicaSet,
  cluster: SimCluster,
  hooks: HookRunner,
  name: string,
  options: NodeDrainOptions,
  signal: AbortSignal,
): Promise<void> {
  const node = cluster.node(name);
  const deadline = Date.now() + options.timeoutMs;
  const grace = rs.config.app.terminationGrace;
  node.schedulable = false;
  rs.sink('node.cordoned', 'cordoned: no new replicas', name);
  try {
    const budget = rs.config.app.disruptionBudget?.minAvailable;
    for (const victim of rs.alive().filter((r) => r.spec.node === name && r.state !== 'terminating')) {
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
        await rs.startReplica(); // the controller replaces the evicted replica right away
        await gone;
      }
    }
    await rs.waitReady(Math.max(0, deadline - Date.now()), signal);
    if (options.reboot) {
      await rebootNode(
        options.reboot,
        name,
        {
          hooks,
          sink: rs.sink.bind(rs),
          env: { GOLIVE_ZONE: node.zone },
          onDown: () => {
            node.up = false;
          },
        },
        signal,
      );
      node.up = true;
      rs.sink('node.ready', 'back up and Ready', name);
    }
  } finally {
    node.schedulable = true;
    node.up = true;
    rs.sink('node.uncordoned', 'uncordoned', name);
  }
}

export function zones(rs: ReplicaSet, cluster: SimCluster): ZoneInfo[] {
  return cluster.zones().map((zone) => {
    const nodes = cluster.nodes.filter((n) => n.zone === zone).map((n) => n.name);
    return { zone, nodes, replicas: rs.alive().filter((r) => nodes.includes(r.spec.node)).length };
  });
}

export async function failZone(rs: ReplicaSet, cluster: SimCluster, hooks: HookRunner, zone: string, mode: ZoneOutageMode, signal: AbortSignal): Promise<void> {
  if (mode.kind === 'run') {
    rs.sink('zone.hook', `running zone hook: ${mode.command}`, zone);
    await hooks.run(mode.command, { GOLIVE_ZONE: zone }, signal);
  }
  const nodes = cluster.nodes.filter((n) => n.zone === zone);
  if (nodes.length === 0) throw new GoliveError('GOLIVE_PLATFORM_UNSUPPORTED', `no zone "${zone}" (zones: ${cluster.zones().join(', ')})`);
  rs.pause('zone-loss'); // nobody notices the loss until the detection delay has passed
  for (const n of nodes) {
    n.up = false;
    n.schedulable = false;
  }
  const victims = rs.alive().filter((r) => nodes.some((n) => n.name === r.spec.node));
  for (const v of victims) if (v.state === 'ready') rs.unnoticed.add(v);
  rs.sink('zone.lost', `${zone} lost: ${nodes.length} node(s) down, ${victims.length} replica(s) killed at once`, zone);
  // The machines are gone: connections to them go silent first, then the processes die.
  await rs.loseReplicas(victims);
  await Promise.all(victims.map((r) => r.kill()));
  const delay = rs.config.cluster.detectionDelay;
  setTimeout(() => {
    if (rs.stopped) return;
    rs.sink('zone.detected', `loss of ${zone} detected after ${delay} ms: its replicas leave rotation and are replaced in the other zones`, zone);
    rs.unnoticed.clear();
    rs.updateRotation();
    void rs.resume('zone-loss');
  }, delay);
}

export async function waitZoneEvacuated(rs: ReplicaSet, zone: string, timeoutMs: number, signal: AbortSignal): Promise<void> {
  await rs.until(
    () => rs.unnoticed.size === 0 && !rs.alive().some((r) => r.spec.zone === zone),
    timeoutMs,
    signal,
    () => `the replicas of ${zone} to be replaced`,
  );
}

/** Brings a lost zone's nodes back; a zone that is not lost (restored already) is left as it is, and said nothing of. */
export function restoreZone(rs: ReplicaSet, cluster: SimCluster, zone: string): void {
  const lost = cluster.nodes.filter((x) => x.zone === zone && !x.up);
  if (lost.length === 0) return;
  for (const n of lost) {
    n.up = true;
    n.schedulable = true;
  }
  rs.sink('zone.restored', `${zone} back: its nodes are Ready`, zone);
}
