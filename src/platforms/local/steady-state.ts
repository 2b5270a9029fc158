/**
 * Each drill starts from the steady state: the configured replica count, spread as the scheduler would
 * spread them from scratch. A node-drain leaves replicas where its replacements landed (zone-a 2, zone-b 1,
 * zone-c 0), and a zone-outage right after would then lose two of three; this puts them back first.
 */
import type { Placement } from '../../model/result.js';
import type { ReplicaSet } from './replica-set.js';
import { scale } from './rollout.js';

/** Where every component's replicas run: in all, and per component when there are several. */
export function placementOf(system: readonly ReplicaSet[], zones: readonly string[]): Placement {
  const count = (sets: readonly ReplicaSet[]): { byZone: Record<string, number>; byNode: Record<string, number> } => {
    const byZone: Record<string, number> = Object.fromEntries(zones.map((z) => [z, 0]));
    const byNode: Record<string, number> = {};
    for (const r of sets.flatMap((rs) => rs.alive()).filter((x) => x.state !== 'terminating')) {
      byZone[r.spec.zone] = (byZone[r.spec.zone] ?? 0) + 1;
      byNode[r.spec.node] = (byNode[r.spec.node] ?? 0) + 1;
    }
    return { byZone, byNode };
  };
  return { ...count(system), ...(system.length > 1 ? { byComponent: Object.fromEntries(system.map((rs) => [rs.name, count([rs])])) } : {}) };
}

/** Back to `app.replicas`, and moved one at a time (a replacement Ready before a replica goes) until the spread is even. */
export async function restoreSteadyState(rs: ReplicaSet, units: () => string[], signal: AbortSignal): Promise<void> {
  const app = rs.spec;
  if (rs.desired !== app.replicas) await scale(rs, app.replicas, signal);
  await rs.waitReady(app.startTimeout, signal);
  const key = app.spread === 'zones' ? 'zone' : app.spread === 'nodes' ? 'node' : undefined;
  if (!key) return;
  for (let moves = 0; moves < app.replicas; moves++) {
    const running = rs.current();
    const counts = new Map(units().map((u) => [u, 0]));
    for (const r of running) counts.set(r.spec[key], (counts.get(r.spec[key]) ?? 0) + 1);
    const sorted = [...counts.entries()].sort((a, b) => b[1] - a[1]);
    const [crowded, most] = sorted[0] ?? ['', 0];
    const least = sorted[sorted.length - 1]?.[1] ?? 0;
    if (most - least <= 1) return;
    const victim = rs.removalOrder(running.filter((r) => r.spec[key] === crowded))[0]!;
    rs.sink('placement', `moving a replica out of ${crowded} (${most} there, ${least} in the emptiest ${key}) before the drill`, victim.spec.id);
    // The scheduler puts the replacement where the fewest replicas are; the crowded one goes once it is Ready.
    const replacement = await rs.startReplica();
    await rs.until(
      () => replacement.state === 'ready',
      app.startTimeout,
      signal,
      () => `replacement ${replacement.spec.id} ready`,
    );
    await victim.terminate(app.terminationGrace);
  }
}
