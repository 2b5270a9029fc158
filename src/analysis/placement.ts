/** Whether a drill starts from a skewed placement: one zone holding more than its share of the replicas. */
import type { Placement } from '../model/result.js';

export function placementSkew(p: Placement): string | undefined {
  const zones = Object.entries(p.byZone);
  if (zones.length < 2) return undefined;
  const total = zones.reduce((n, [, c]) => n + c, 0);
  const share = Math.ceil(total / zones.length);
  const [zone, most] = [...zones].sort((a, b) => b[1] - a[1])[0]!;
  if (most <= share) return undefined;
  return `${zone} runs ${most} of the ${total} replicas (a zone's share is ${share}): losing it takes more than a zone's worth`;
}
