/** Whether a drill starts from a skewed placement: one zone holding more than its share of a component's replicas. */
import type { Placement } from '../model/result.js';

export function placementSkew(p: Placement): string | undefined {
  // Each component is spread on its own (a one-replica store holds a zone by itself): judged one by one.
  if (p.byComponent) {
    for (const [name, c] of Object.entries(p.byComponent)) {
      const skew = zoneSkew(c.byZone);
      if (skew) return `${name}: ${skew}`;
    }
    return undefined;
  }
  return zoneSkew(p.byZone);
}

function zoneSkew(byZone: Record<string, number>): string | undefined {
  const zones = Object.entries(byZone);
  if (zones.length < 2) return undefined;
  const total = zones.reduce((n, [, c]) => n + c, 0);
  const share = Math.ceil(total / zones.length);
  const [zone, most] = [...zones].sort((a, b) => b[1] - a[1])[0]!;
  if (most <= share) return undefined;
  return `${zone} runs ${most} of the ${total} replicas (a zone's share is ${share}): losing it takes more than a zone's worth`;
}
