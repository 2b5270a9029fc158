/** capacity on a platform that can measure usage: the load for `duration`, resource usage sampled meanwhile. */
import type { Finding } from '../model/result.js';
import type { DrillContext, PerformResult } from './drill.js';

export function capacityWithUsage(durationMs: number) {
  return async (ctx: DrillContext): Promise<PerformResult> => {
    ctx.phase('load');
    const sampler = ctx.platform?.sampleCapacity?.(ctx.signal);
    await ctx.sleep(durationMs);
    if (!sampler) return {};
    const report = await sampler.stop();
    const findings: Finding[] = [];
    if (report.usageUnavailable) findings.push({ id: 'usage-not-measured', severity: 'warning', message: `resource usage was not measured: ${report.usageUnavailable}` });
    for (const [what, h] of [['node', report.headroom?.largestNode], ['zone', report.headroom?.largestZone]] as const) {
      if (h && !h.fits) {
        findings.push({ id: `no-headroom-${what}`, severity: 'error', message: `if ${what} ${h.name} were lost, the workload's pods would not fit elsewhere: ${h.detail}`, fix: `add capacity, or lower the pods' CPU requests, so the cluster can lose its largest ${what}` });
      }
    }
    return { capacity: report as unknown as Record<string, unknown>, findings };
  };
}
