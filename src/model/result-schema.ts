/**
 * `summary.json` as a schema: what `golive report`, `golive compare` and users' scripts read back is parsed
 * through it, so a crafted or damaged file is named as bad input instead of crashing a report. The types in
 * result.ts are the documented contract; test/unit/model/results-schemas.test.ts holds the two equal.
 * Unknown fields are accepted and left out (a newer golive may add fields).
 */
import { z } from 'zod';
import { EVENT_KINDS } from './events.js';

// Every number in a result is finite (JSON has no other), a count a whole number of at least 0.
const num = z.number();
const count = z.number().int().nonnegative();
const ms = z.number();
const opt = <T extends z.ZodType>(schema: T) => schema.exactOptional();

export const outcomeCountsSchema = z.record(z.string(), count);

const requestCountsSchema = z.object({ total: count, ok: count, failed: count, dropped: count, byOutcome: outcomeCountsSchema });

const latencyStatsSchema = z.object({ avg: num, min: num, p50: num, p90: num, p95: num, p99: num, p999: num, max: num });

const loadDescriptionSchema = z.object({
  model: z.enum(['open', 'closed']),
  executor: z.string(),
  targetRps: opt(num),
  journeys: opt(z.array(z.string())),
  vus: opt(num),
  durationMs: ms.nonnegative(),
  connections: count,
  threads: count,
  workers: z.object({ kind: z.enum(['threads', 'processes', 'kubernetes']), count }),
  generator: opt(
    z.object({
      kind: z.enum(['locust', 'k6']),
      note: z.string(),
      zeroEpochMs: opt(num),
      clockOffsetMs: opt(num),
    }),
  ),
});

export const timelineEventSchema = z.object({ atMs: ms, kind: z.enum(EVENT_KINDS), subject: opt(z.string()), message: z.string() });

const outageWindowSchema = z.object({
  startMs: ms,
  endMs: ms,
  failed: count,
  outcomes: outcomeCountsSchema,
  events: z.array(timelineEventSchema),
  before: opt(z.array(timelineEventSchema)),
});

const downtimeSchema = z.object({ totalMs: ms.nonnegative(), longestMs: ms.nonnegative(), degradedMs: ms.nonnegative(), windows: z.array(outageWindowSchema) });

const phaseSchema = z.object({
  name: z.string(),
  startMs: ms,
  endMs: ms,
  requests: requestCountsSchema,
  latencyMs: latencyStatsSchema,
  throughput: z.object({ rps: num }),
});

const objectiveSchema = z.object({
  name: z.string(),
  limit: z.string(),
  measured: z.string(),
  passed: z.boolean(),
  basis: opt(z.string()),
  default: opt(z.literal(true)),
  notJudged: opt(z.literal(true)),
});

const generatorSchema = z.object({
  bound: z.boolean(),
  dropped: count,
  lagP99Ms: ms,
  warnings: z.array(z.string()),
  startOffsetsMs: z.array(ms.nullable()),
  rate: opt(z.object({ plannedRps: num.nullable(), achievedRps: num, errorPct: num.nullable() })),
  lostWorkers: z.array(z.object({ index: count, atMs: ms, reason: z.string(), droppedStarts: count })),
});

const recoverySchema = z.object({
  pointMs: ms.nullable(),
  timeMs: ms.nullable(),
  ackedWrites: count,
  lostWrites: count,
  ackedBeforeBackup: opt(count),
  lostBeforeBackup: opt(count),
});

const findingSchema = z.object({ id: z.string(), severity: z.enum(['info', 'warning', 'error']), message: z.string(), fix: opt(z.string()) });

const cpuUsageSchema = z.object({ peakMillicores: num, requestMillicores: num.nullable(), limitMillicores: num.nullable(), peakOfLimit: num.nullable() });
const memoryUsageSchema = z.object({ peakMiB: num, requestMiB: num.nullable(), limitMiB: num.nullable(), peakOfLimit: num.nullable() });

const capacitySchema = z.object({
  usageUnavailable: opt(z.string()),
  samples: count,
  cpu: opt(cpuUsageSchema),
  memory: opt(memoryUsageSchema),
  components: opt(z.array(z.object({ name: z.string(), cpu: cpuUsageSchema, memory: memoryUsageSchema }))),
  replicas: opt(z.array(z.object({ id: z.string(), peakMillicores: num, peakMiB: num }))),
  total: opt(z.object({ peakMillicores: num, peakMiB: num })),
  service: opt(z.object({ thread: z.string(), peakMillicores: num })),
  golive: opt(z.object({ peakMillicores: num })),
  machine: opt(z.object({ cores: count, peakBusy: num })),
  series: opt(
    z.array(
      z.object({
        atMs: ms,
        replicasMillicores: num,
        replicasMiB: num,
        serviceMillicores: num.nullable(),
        goliveMillicores: num,
        machineBusy: num.nullable(),
      }),
    ),
  ),
  saturation: opt(z.object({ limitedBy: z.array(z.enum(['generator', 'service', 'application', 'machine'])), notes: z.array(z.string()) })),
  headroom: opt(
    z.object({
      largestNode: z.object({ name: z.string(), fits: z.boolean(), detail: z.string() }),
      largestZone: z.object({ name: z.string(), fits: z.boolean(), detail: z.string() }).nullable(),
    }),
  ),
});

const placementSchema = z.object({
  byZone: outcomeCountsSchema,
  byNode: outcomeCountsSchema,
  byComponent: opt(z.record(z.string(), z.object({ byZone: outcomeCountsSchema, byNode: outcomeCountsSchema }))),
  skew: opt(z.string()),
});

const canarySchema = z.object({ t: z.array(num), acked: z.array(count), lost: z.array(count) });

/**
 * The platform's usage (kind 'usage', read by every report), or what a drill kind adds (its own fields,
 * kept as they are). Details that say 'usage' are held to the usage shape.
 */
const drillDetailsSchema = z.union([
  capacitySchema.extend({ kind: z.literal('usage') }),
  z.looseObject({ kind: z.string().refine((k) => k !== 'usage', { abort: true }), canary: opt(canarySchema) }),
]);

/** A point Prometheus answered with a value JSON cannot hold as a number, in Prometheus's own spelling. */
const NON_FINITE = ['+Inf', '-Inf', 'NaN'] as const;

const observedSeriesSchema = z.object({
  labels: z.record(z.string(), z.string()),
  t: z.array(ms),
  v: z.array(num),
  nonFinite: opt(z.object({ t: z.array(ms), v: z.array(z.enum(NON_FINITE)) })),
});

const seriesSummarySchema = z.object({ min: num, avg: num, max: num, last: num, nonFinite: opt(count) });

const observedQuerySchema = z.object({
  name: z.string(),
  query: z.string(),
  unit: opt(z.string()),
  source: z.enum(['prometheus', 'local']),
  error: opt(z.string()),
  series: z.array(observedSeriesSchema),
  drill: seriesSummarySchema.nullable(),
  disruption: seriesSummarySchema.nullable(),
});

const journeySchema = z.object({
  started: count,
  completed: count,
  failed: count,
  timedOut: count,
  unfinished: count,
  name: z.string(),
  failedRate: num,
  durationMs: latencyStatsSchema.nullable(),
  steps: z.array(z.object({ name: z.string(), requests: requestCountsSchema, latencyMs: latencyStatsSchema })),
});

const drillResultSchema = z.object({
  name: z.string(),
  kind: z.string(),
  passed: z.boolean(),
  error: opt(z.string()),
  planned: opt(z.literal(true)),
  startedAt: z.string(),
  load: loadDescriptionSchema,
  requests: requestCountsSchema,
  throughput: z.object({ rps: num }),
  latencyMs: latencyStatsSchema,
  serviceTimeMs: latencyStatsSchema,
  downtime: downtimeSchema,
  phases: z.array(phaseSchema),
  generator: generatorSchema,
  recovery: opt(recoverySchema),
  setupMs: opt(ms),
  setupFailure: opt(z.string()),
  placement: opt(placementSchema),
  capacity: opt(drillDetailsSchema),
  objectives: z.array(objectiveSchema),
  events: z.array(timelineEventSchema),
  findings: z.array(findingSchema),
  observed: opt(z.array(observedQuerySchema)),
  journeys: opt(z.array(journeySchema)),
});

export const runResultSchema = z.object({
  version: z.literal(1),
  tool: z.object({ name: z.literal('golive'), version: z.string() }),
  name: z.string(),
  startedAt: z.string(),
  finishedAt: z.string(),
  passed: z.boolean(),
  platform: z.object({ kind: z.enum(['none', 'local', 'kubernetes']), context: opt(z.string()), namespace: opt(z.string()) }),
  drills: z.array(drillResultSchema),
  error: opt(z.string()),
  dryRun: opt(z.object({ valid: z.boolean() })),
});
