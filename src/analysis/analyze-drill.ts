/** From a drill's recording, events and phases to its DrillResult: stats, downtime, phases, verdicts. */
import type { DefaultObjectives, Objectives } from './objective-types.js';
import { latencyStatsMs, decodeHistogram } from '../model/histogram.js';
import { BIN_MS, type Recording } from '../model/recording.js';
import type {
  CapacityReport,
  DrillDetails,
  DrillResult,
  Finding,
  GeneratorHealth,
  LoadDescription,
  ObservedQuery,
  PhaseResult,
  RecoveryResult,
  TimelineEvent,
} from '../model/result.js';
import { isUsageDetails } from '../model/result.js';
import { withDefaultObjectives } from './default-objectives.js';
import { computeDowntime } from './downtime.js';
import { saturationOf } from './saturation.js';
import { shutdownFindings } from './shutdown.js';
import { evaluateObjectives, type MeasuredSpan } from './objectives.js';
import { journeyResults, journeyTotals } from './journeys.js';
import { judgeSeries, summarize, type SeriesObjective } from './series.js';
import { binCounts, spanStats } from './stats.js';
import type { Threshold } from './threshold.js';

/** Starts sent more than this late at p99 mean the generator, not the target, shaped the figures. */
const GENERATOR_LAG_P99_LIMIT_MS = 50;

export interface PhaseSpan {
  name: string;
  startMs: number;
  endMs: number;
}

export interface DrillAnalysisInput {
  name: string;
  kind: string;
  startedAt: string;
  load: LoadDescription;
  recording: Recording;
  events: TimelineEvent[];
  phases: PhaseSpan[];
  objectives: Objectives;
  /** What the drill's kind judges it by where the team set no objective of a kind. */
  defaultObjectives: DefaultObjectives;
  thresholds: readonly Threshold[];
  recovery?: RecoveryResult;
  setupMs?: number;
  setupFailure?: string;
  details?: DrillDetails;
  findings?: Finding[];
  /** Why the drill could not complete. */
  error?: string;
  /** The platform's series over the drill (read after it), each with the objective it is judged by. */
  observed?: { query: ObservedQuery; objective?: SeriesObjective | undefined }[];
}

export function analyzeDrill(input: DrillAnalysisInput): DrillResult {
  const { recording } = input;
  const durationMs = recording.durationMs;
  const whole = spanStats(recording.seconds);
  const downtime = computeDowntime({ ok: recording.binsOk, failed: recording.binsFailed, failuresByBin: recording.failuresByBin, events: input.events });

  const phaseSpans = new Map<string, MeasuredSpan>();
  const binRanges = phaseBins(input.phases);
  const phases: PhaseResult[] = input.phases.map((p, i) => {
    // Counts are exact (10 ms bins by intended start); latency comes from the seconds inside the phase.
    const s = spanStats(recording.seconds, p.startMs, p.endMs);
    const requests = binCounts(recording, ...binRanges[i]!);
    const lengthMs = Math.max(1, p.endMs - p.startMs);
    phaseSpans.set(p.name, { ...s, requests, durationMs: lengthMs });
    return {
      name: p.name,
      startMs: p.startMs,
      endMs: p.endMs,
      requests,
      latencyMs: s.latencyMs,
      throughput: { rps: round1(requests.total / (lengthMs / 1000)) },
    };
  });

  // A load worker lost mid-drill took its share of the load with it: the drill did not run as planned.
  const lostWorker = recording.workers.lost.find((w) => w.index >= 0);
  const error =
    input.error ??
    (lostWorker
      ? `load worker ${lostWorker.index} of ${recording.workers.count} ${lostWorker.reason} at ${(lostWorker.atMs / 1000).toFixed(1)} s: its ${lostWorker.droppedStarts} remaining starts were never sent, so the drill did not run the planned load`
      : undefined);
  const journeys = recording.journeys ? journeyResults(recording.journeys) : undefined;
  const judged = withDefaultObjectives(input.defaultObjectives, input.objectives, input.thresholds);
  const evaluated = evaluateObjectives({
    objectives: judged.objectives,
    defaults: judged.defaults,
    thresholds: input.thresholds,
    whole: { ...whole, durationMs, ...(journeys ? { journeys: journeyTotals(journeys) } : {}) },
    phases: phaseSpans,
    downtime,
    recovery: input.recovery,
    setupMs: input.setupMs,
    setupFailure: input.setupFailure,
    details: input.details,
  });
  const disruption = input.phases.find((p) => p.name === 'disruption');
  const observed = (input.observed ?? []).map(({ query }) => ({
    ...query,
    drill: summarize(query.series),
    disruption: disruption ? summarize(query.series, disruption.startMs, disruption.endMs) : null,
  }));
  const seriesObjectives = (input.observed ?? []).flatMap(({ objective }, i) => (objective ? [judgeSeries(observed[i]!, objective)] : []));
  // The local platform's own usage samples in the same shape, so a local run reads like a cluster run.
  const sampled = usageSeries(input.details, disruption);
  if (sampled.length) observed.push(...sampled);
  // A drill that did not complete is not judged: no ✓ for what it never reached.
  const all = [...evaluated, ...seriesObjectives];
  const objectives = error === undefined ? all : all.map((o) => ({ ...o, passed: false, notJudged: true as const }));
  const lostStarts = recording.workers.lost.reduce((n, w) => n + w.droppedStarts, 0);
  if (lostStarts > 0) {
    whole.requests.dropped += lostStarts;
    whole.requests.byOutcome['dropped'] = (whole.requests.byOutcome['dropped'] ?? 0) + lostStarts;
  }
  const usage = isUsageDetails(input.details) && !input.details.usageUnavailable ? input.details : undefined;
  const lagP99Ms = recording.lag ? latencyStatsMs(decodeHistogram(recording.lag)).p99 : 0;
  const saturation = usage ? saturationOf(usage, { lagged: lagP99Ms > GENERATOR_LAG_P99_LIMIT_MS, lagP99Ms, dropped: whole.requests.dropped }) : undefined;
  const generator = generatorHealth(recording, input.load.model, whole.requests.dropped, lagP99Ms, saturation);
  const details = usage && saturation ? { ...usage, saturation } : input.details;
  return {
    name: input.name,
    kind: input.kind,
    passed: error === undefined && objectives.every((o) => o.passed),
    ...(error !== undefined ? { error } : {}),
    startedAt: input.startedAt,
    load: input.load,
    requests: whole.requests,
    throughput: { rps: durationMs > 0 ? round1(whole.requests.total / (durationMs / 1000)) : 0 },
    latencyMs: whole.latencyMs,
    serviceTimeMs: whole.serviceTimeMs,
    downtime,
    phases,
    generator,
    ...(input.recovery ? { recovery: input.recovery } : {}),
    ...(input.setupMs !== undefined ? { setupMs: input.setupMs } : {}),
    ...(input.setupFailure !== undefined ? { setupFailure: input.setupFailure } : {}),
    ...(details ? { capacity: details } : {}),
    objectives,
    events: input.events,
    findings: [...(input.findings ?? []), ...shutdownFindings(input.events, recording.failuresByBin)],
    ...(observed.length || input.observed ? { observed } : {}),
    ...(journeys ? { journeys } : {}),
  };
}

/** Achieved against planned rate beyond this (%) is worth a warning. */
const RATE_ERROR_LIMIT_PCT = 1;

function generatorHealth(
  recording: Recording,
  model: 'open' | 'closed',
  dropped: number,
  lagP99Ms: number,
  saturation: NonNullable<CapacityReport['saturation']> | undefined,
): GeneratorHealth {
  const warnings: string[] = [];
  // Where usage was measured, late starts are blamed on what was saturated, not always on the generator.
  const blame =
    saturation && !saturation.limitedBy.includes('generator') && saturation.limitedBy.length > 0
      ? `the ${saturation.limitedBy.join(' and the ')} ${saturation.limitedBy.length > 1 ? 'were' : 'was'} saturated (see usage)`
      : 'the load generator is saturated; use fewer requests per second, more threads, or more machines';
  if (dropped > 0)
    warnings.push(
      recording.journeys
        ? `${dropped} scheduled journeys were dropped: the generator could not start them in time (too many journeys under way, or more than 1 s late)`
        : `${dropped} scheduled requests were dropped: the generator could not start them in time (too many in flight, or more than 1 s late)`,
    );
  if (lagP99Ms > GENERATOR_LAG_P99_LIMIT_MS) warnings.push(`requests started up to ${lagP99Ms.toFixed(0)} ms late (p99): ${blame}`);
  for (const w of recording.workers.lost) {
    warnings.push(
      `load worker ${w.index} of ${recording.workers.count} (${recording.workers.kind}) ${w.reason} at ${(w.atMs / 1000).toFixed(1)} s: the ${w.droppedStarts} starts of its segment from its last report on are missing from the results and counted as dropped`,
    );
  }
  if (recording.invalidRecords)
    warnings.push(
      `${recording.invalidRecords.count} of ${recording.invalidRecords.source}'s records were left out: outside the run's window or with an impossible time (the first: ${recording.invalidRecords.example})`,
    );
  if (recording.retries > 0)
    warnings.push(`${recording.retries} requests were retried once after the server closed an idle keep-alive connection (as browsers and Go clients do)`);
  const rate = achievedRate(recording, model, dropped);
  const off = rate?.errorPct !== null && rate?.errorPct !== undefined && Math.abs(rate.errorPct) > RATE_ERROR_LIMIT_PCT;
  if (rate && off)
    warnings.push(
      `the generator sent ${rate.achievedRps} ${recording.journeys ? 'journeys' : 'req'}/s of the ${rate.plannedRps} planned (${rate.errorPct! > 0 ? '+' : ''}${rate.errorPct} %), counted from when each request was really sent`,
    );
  return {
    bound: dropped > 0 || lagP99Ms > GENERATOR_LAG_P99_LIMIT_MS || recording.workers.lost.length > 0 || off,
    dropped,
    lagP99Ms,
    ...(rate ? { rate } : {}),
    warnings,
    startOffsetsMs: recording.workers.startOffsetsMs,
    lostWorkers: recording.workers.lost,
  };
}

/** Starts sent ÷ (zero → the last send, or the planned length if longer), against sent + dropped over the length. */
function achievedRate(recording: Recording, model: 'open' | 'closed', dropped: number): GeneratorHealth['rate'] {
  if (recording.sent === undefined || recording.durationMs <= 0) return undefined;
  const spanMs = Math.max(recording.durationMs, recording.lastSentMs ?? 0);
  const achieved = recording.sent / (spanMs / 1000);
  if (model === 'closed') return { plannedRps: null, achievedRps: round1(achieved), errorPct: null };
  const planned = (recording.sent + dropped) / (recording.durationMs / 1000);
  const errorPct = planned > 0 ? Math.round((achieved / planned - 1) * 10000) / 100 : null;
  return { plannedRps: round1(planned), achievedRps: round1(achieved), errorPct };
}

/**
 * The bins of intended starts each phase counts: a bin is in the phase its middle falls in, the first phase
 * also takes the bins before it and the last those after, so every request is in exactly one phase and the
 * phases add up to the drill.
 */
function phaseBins(phases: readonly PhaseSpan[]): [fromBin: number, toBin: number][] {
  const firstBinFrom = (ms: number): number => Math.ceil((ms - BIN_MS / 2) / BIN_MS);
  let from = 0;
  return phases.map((_, i) => {
    const next = phases[i + 1];
    const to = next ? Math.max(from, firstBinFrom(next.startMs)) : Infinity;
    const range: [number, number] = [from, to];
    from = to;
    return range;
  });
}

function round1(v: number): number {
  return Math.round(v * 10) / 10;
}

/** The local platform's usage samples (capacity drill) as series: CPU and memory of the replicas, the Service, golive, the machine. */
function usageSeries(details: DrillDetails | undefined, disruption: PhaseSpan | undefined): ObservedQuery[] {
  const points = isUsageDetails(details) ? details.series : undefined;
  if (!points?.length) return [];
  const t = points.map((p) => p.atMs);
  const one = (name: string, unit: string, values: (number | null)[]): ObservedQuery[] => {
    const kept = values.map((v, i) => [t[i]!, v] as const).filter((x): x is readonly [number, number] => x[1] !== null);
    if (!kept.length) return [];
    const series = [{ labels: {}, t: kept.map((k) => k[0]), v: kept.map((k) => k[1]) }];
    return [
      {
        name,
        query: `sampled by the local platform (${name})`,
        unit,
        source: 'local',
        series,
        drill: summarize(series),
        disruption: disruption ? summarize(series, disruption.startMs, disruption.endMs) : null,
      },
    ];
  };
  return [
    ...one(
      'replicas CPU',
      'millicores',
      points.map((p) => p.replicasMillicores),
    ),
    ...one(
      'replicas memory',
      'MiB',
      points.map((p) => p.replicasMiB),
    ),
    ...one(
      'Service CPU',
      'millicores',
      points.map((p) => p.serviceMillicores),
    ),
    ...one(
      'golive CPU',
      'millicores',
      points.map((p) => p.goliveMillicores),
    ),
    ...one(
      'machine busy',
      'of all cores',
      points.map((p) => p.machineBusy),
    ),
  ];
}
