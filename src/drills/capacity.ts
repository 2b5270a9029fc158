/** capacity: the load for `duration`; where the platform can measure usage, it is sampled meanwhile. */
import { duration, obj } from '../schema/helpers.js';
import { objectivesSchema } from '../schema/fields.js';
import type { CapacityReport, Finding } from '../model/result.js';
import type { Observe, PerformResult } from './drill.js';
import { defineDrillKind } from './kind.js';

const capacityDrill = obj({
  /** Load duration. @default load.duration */
  duration: duration.optional(),
  objectives: objectivesSchema.prefault({}),
});

export const capacity = defineDrillKind({
  kind: 'capacity',
  schema: capacityDrill,
  phases: ['load'],
  defaultObjectives: { errors: { maxErrorRate: 0.01 } },
  explainedBy: ['GL013', 'GL014', 'GL021', 'GL022'],
  build: (c) => ({
    objectives: c.objectives,
    needs: { operations: ['usage'], destroysEnvironment: false },
    observe: sampleUsage,
    durationMs: c.duration,
    judgedByThresholds: true,
  }),
});

const sampleUsage: Observe = (platform, signal, now) => {
  const sampler = platform.sampleCapacity?.(signal, now);
  if (!sampler) return undefined;
  return { stop: async () => usageResult(await sampler.stop()) };
};

function usageResult(report: CapacityReport): PerformResult {
  const findings: Finding[] = [];
  if (report.usageUnavailable)
    findings.push({ id: 'usage-not-measured', severity: 'warning', message: `resource usage was not measured: ${report.usageUnavailable}` });
  for (const [what, h] of [
    ['node', report.headroom?.largestNode],
    ['zone', report.headroom?.largestZone],
  ] as const) {
    if (h && !h.fits) {
      findings.push({
        id: `no-headroom-${what}`,
        severity: 'error',
        message: `if ${what} ${h.name} were lost, the workload's pods would not fit elsewhere: ${h.detail}`,
        fix: `add capacity, or lower the pods' CPU requests, so the cluster can lose its largest ${what}`,
      });
    }
  }
  return { details: { kind: 'usage', ...report }, findings };
}
