/** The simulated cluster of the local platform: nodes spread round-robin over zones, and where replicas go. */
import { zoneNames } from './schema.js';

export interface SimNode {
  name: string;
  zone: string;
  /** Cordoned nodes take no new replicas. */
  schedulable: boolean;
  /** A node that is down (rebooting, zone lost) runs nothing. */
  up: boolean;
}

export type Spread = 'zones' | 'nodes' | 'none';

export class SimCluster {
  readonly nodes: SimNode[];

  constructor(nodeCount: number, zoneCount: number) {
    const zones = zoneNames(zoneCount);
    this.nodes = Array.from({ length: nodeCount }, (_, i) => ({ name: `node-${i + 1}`, zone: zones[i % zoneCount]!, schedulable: true, up: true }));
  }

  node(name: string): SimNode {
    const n = this.nodes.find((x) => x.name === name);
    if (!n) throw new Error(`Internal error: no node ${name}`);
    return n;
  }

  zones(): string[] {
    return [...new Set(this.nodes.map((n) => n.zone))];
  }

  /**
   * Where the next replica goes, like the scheduler with topology spread: the zone (or node) with the fewest
   * replicas first; `none` packs onto the first usable node; only `zones`' nodes when it is pinned. Undefined
   * when no node can take it.
   */
  pick(replicasOn: (node: string) => number, spread: Spread, zones?: readonly string[]): SimNode | undefined {
    const usable = this.nodes.filter((n) => n.up && n.schedulable && (!zones || zones.includes(n.zone)));
    if (usable.length === 0) return undefined;
    if (spread === 'none') return usable[0];
    const perZone = new Map<string, number>();
    for (const n of usable) perZone.set(n.zone, (perZone.get(n.zone) ?? 0) + replicasOn(n.name));
    return [...usable].sort((a, b) => {
      if (spread === 'zones') {
        const dz = perZone.get(a.zone)! - perZone.get(b.zone)!;
        if (dz !== 0) return dz;
      }
      return replicasOn(a.name) - replicasOn(b.name) || a.name.localeCompare(b.name);
    })[0];
  }
}
