/**
 * What limited a capacity drill's load, from measurement: the generator (its starts fell behind), the
 * local Service's proxy thread (one thread: a core is all it can use), the application (a replica at its CPU
 * limit, or at a whole core without one; on Kubernetes, a component whose pod reached its CPU limit), or the
 * machine (its cores busy, so all of them competed). Saying
 * "the generator is saturated" whenever starts were late blamed golive for what a busy machine or proxy did.
 */
import type { CapacityReport } from '../model/result.js';

/** A share of a core, or of a limit, or of the machine, at which it is taken as saturated. */
const SATURATED = 0.9;

type Saturation = NonNullable<CapacityReport['saturation']>;

export function saturationOf(u: CapacityReport, generator: { lagged: boolean; lagP99Ms: number; dropped: number }): Saturation {
  const limitedBy: Saturation['limitedBy'] = [];
  const notes: string[] = [];
  const pct = (v: number): string => `${Math.round(v * 100)} %`;
  if (u.machine && u.machine.peakBusy >= SATURATED) {
    limitedBy.push('machine');
    notes.push(
      `the machine's ${u.machine.cores} cores were ${pct(u.machine.peakBusy)} busy at peak: the generator, the Service and the replicas competed for CPU, so the figures are the machine's limit, not the application's alone`,
    );
  }
  if (u.service && u.service.peakMillicores >= SATURATED * 1000) {
    limitedBy.push('service');
    notes.push(
      `${u.service.thread} used ${pct(u.service.peakMillicores / 1000)} of a core at peak: the local Service was saturated, and latency above this rate is golive's, not the application's`,
    );
  }
  // Each replica against its own component's limit (replicas are named `<component>-r<revision>-<n>`).
  const componentOf = (id: string): NonNullable<CapacityReport['components']>[number] | undefined => u.components?.find((c) => id.startsWith(`${c.name}-r`));
  const limitOf = (id: string): number | null => (componentOf(id) ? componentOf(id)!.cpu.limitMillicores : (u.cpu?.limitMillicores ?? null));
  const load = (r: { id: string; peakMillicores: number }): number => r.peakMillicores / (limitOf(r.id) ?? 1000);
  const busiest = [...(u.replicas ?? [])].sort((a, b) => load(b) - load(a))[0];
  const limit = busiest ? limitOf(busiest.id) : null;
  const whose = busiest && componentOf(busiest.id) ? ` (component ${componentOf(busiest.id)!.name})` : '';
  if (busiest && limit !== null && busiest.peakMillicores >= SATURATED * limit) {
    limitedBy.push('application');
    notes.push(`replica ${busiest.id}${whose} used ${busiest.peakMillicores}m of its ${limit}m CPU limit at peak: the application was saturated`);
  } else if (busiest && limit === null && busiest.peakMillicores >= SATURATED * 1000 && busiest.peakMillicores < 1.5 * 1000) {
    limitedBy.push('application');
    notes.push(`replica ${busiest.id}${whose} used ${pct(busiest.peakMillicores / 1000)} of a core at peak: a single-threaded server is saturated there`);
  }
  // Kubernetes reports no replicas of its own: each component's peak pod against the component's limit.
  for (const c of u.replicas ? [] : (u.components ?? [])) {
    const own = c.cpu.limitMillicores;
    if (own === null || c.cpu.peakMillicores < SATURATED * own) continue;
    if (!limitedBy.includes('application')) limitedBy.push('application');
    notes.push(`a pod of ${c.name} used ${c.cpu.peakMillicores}m of its ${own}m CPU limit at peak: ${c.name} limited the load`);
  }
  if (generator.lagged || generator.dropped > 0) {
    if (limitedBy.length === 0) {
      limitedBy.push('generator');
      notes.push(
        `requests started up to ${generator.lagP99Ms.toFixed(0)} ms late (p99) while the machine, the Service and the replicas had CPU to spare: the load generator was saturated`,
      );
    } else notes.push(`requests started up to ${generator.lagP99Ms.toFixed(0)} ms late (p99), a consequence of the above rather than of the generator`);
  }
  if (limitedBy.length === 0) notes.push('nothing was saturated: the generator, the Service, the replicas and the machine all had CPU to spare');
  return { limitedBy, notes };
}
