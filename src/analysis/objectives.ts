/** Turns measured figures and the team's objectives into verdicts: limit, measured value, passed. */
import { formatDuration, formatMs, percent } from '../model/format.js';
import type { Objectives } from './objective-types.js';
import { outcomeMatches } from '../model/outcome.js';
import type { DowntimeResult, DrillDetails, LatencyStats, ObjectiveResult, RecoveryResult, RequestCounts } from '../model/result.js';
import { isUsageDetails } from '../model/result.js';
import { compare, type Threshold } from './threshold.js';

export interface MeasuredSpan {
  requests: RequestCounts;
  latencyMs: LatencyStats;
  durationMs: number;
  /** Any percentile from the histogram; without it only the kept ones (p50 … p99.9) can be judged. */
  latencyAt?: (percentile: number) => number;
  /** Journeys that failed (timed out included), and those that ended; absent when the load ran no journeys. */
  journeys?: { failed: number; ended: number };
}

export interface ObjectiveInput {
  objectives: Objectives;
  /** Which of `objectives` are golive's defaults (shown as such), not the team's. */
  defaults?: ReadonlySet<string>;
  /** Plain thresholds (from `thresholds` in the config or `--threshold`). */
  thresholds: readonly Threshold[];
  whole: MeasuredSpan;
  phases: ReadonlyMap<string, MeasuredSpan>;
  downtime: DowntimeResult;
  recovery?: RecoveryResult | undefined;
  setupMs?: number | undefined;
  setupFailure?: string | undefined;
  details?: DrillDetails | undefined;
}

export function evaluateObjectives(input: ObjectiveInput): ObjectiveResult[] {
  const results = judge(input);
  // Zero requests answered is never a pass, whatever else was asked.
  const ok = input.whole.requests.ok;
  results.push({ name: 'requests answered', limit: '≥ 1', measured: `${ok} of ${input.whole.requests.total}`, passed: ok > 0, default: true });
  return results;
}

/** Each objective's key in Objectives, for marking the defaults. */
const KEY_OF: Record<string, keyof Objectives> = {
  downtime: 'maxDowntime',
  'degraded time': 'maxDegraded',
  'failed requests': 'maxFailedRequests',
  'error rate': 'maxErrorRate',
  'failed journeys': 'maxFailedJourneys',
  'lost before the backup': 'maxLostBeforeBackup',
};

function judge(input: ObjectiveInput): ObjectiveResult[] {
  const results = evaluate(input);
  const defaults = input.defaults;
  if (!defaults?.size) return results;
  return results.map((r) => (defaults.has(KEY_OF[r.name] ?? '') ? { ...r, default: true } : r));
}

function evaluate(input: ObjectiveInput): ObjectiveResult[] {
  const { objectives: o, whole, downtime } = input;
  const results: ObjectiveResult[] = [];
  const basis = `${whole.requests.total} requests`;
  if (o.maxDowntime !== undefined) {
    results.push(limitMs('downtime', downtime.totalMs, o.maxDowntime, `${downtime.windows.length} outage window(s), ${basis}`));
  }
  if (o.maxDegraded !== undefined) results.push(limitMs('degraded time', downtime.degradedMs, o.maxDegraded, basis));
  if (o.maxFailedRequests !== undefined) {
    results.push({
      name: 'failed requests',
      limit: `≤ ${o.maxFailedRequests}`,
      measured: String(whole.requests.failed),
      passed: whole.requests.failed <= o.maxFailedRequests,
      basis,
    });
  }
  if (o.maxFailedJourneys !== undefined) {
    const j = whole.journeys;
    results.push({
      name: 'failed journeys',
      limit: `≤ ${o.maxFailedJourneys}`,
      measured: !j ? 'no journeys: load.journeys is not set' : j.ended === 0 ? 'no journey ended' : String(j.failed),
      passed: j !== undefined && j.ended > 0 && j.failed <= o.maxFailedJourneys,
      ...(j ? { basis: `${j.ended} journeys ended` } : {}),
    });
  }
  if (o.maxErrorRate !== undefined) {
    const rate = whole.requests.total ? whole.requests.failed / whole.requests.total : 0;
    results.push({ name: 'error rate', limit: `≤ ${percent(o.maxErrorRate)}`, measured: percent(rate), passed: rate <= o.maxErrorRate, basis });
  }
  const latency = o.latency === undefined ? {} : Array.isArray(o.latency) ? { all: o.latency } : o.latency;
  for (const [phase, thresholds] of Object.entries(latency)) {
    const span = phase === 'all' ? whole : input.phases.get(phase);
    for (const t of thresholds ?? []) {
      if (!span) {
        results.push({ name: `${t.source} (${phase})`, limit: t.source, measured: `no ${phase} phase`, passed: false });
        continue;
      }
      results.push(evaluateThreshold(t, span, phase === 'all' ? undefined : phase));
    }
  }
  for (const t of [...input.thresholds, ...(o.thresholds ?? [])]) results.push(evaluateThreshold(t, whole, undefined));
  const r = input.recovery;
  if (o.maxRecoveryPoint !== undefined) {
    results.push(
      r?.pointMs != null
        ? limitMs('recovery point', r.pointMs, o.maxRecoveryPoint, `${r.ackedWrites} acknowledged writes`)
        : {
            name: 'recovery point',
            limit: `≤ ${formatDuration(o.maxRecoveryPoint)}`,
            measured: r ? 'unbounded: the first acknowledged write is lost' : 'not measured',
            passed: false,
          },
    );
  }
  if (o.maxLostBeforeBackup !== undefined) {
    const lost = r?.lostBeforeBackup;
    results.push({
      name: 'lost before the backup',
      limit: `≤ ${o.maxLostBeforeBackup}`,
      measured:
        lost === undefined
          ? 'not measured'
          : lost === 0
            ? '0'
            : `${lost}: the backup does not hold ${lost} of the ${r?.ackedBeforeBackup ?? '?'} writes acknowledged before it`,
      passed: lost !== undefined && lost <= o.maxLostBeforeBackup,
      ...(r?.ackedBeforeBackup !== undefined ? { basis: `${r.ackedBeforeBackup} writes acknowledged before the backup` } : {}),
    });
  }
  if (o.maxRecoveryTime !== undefined) {
    results.push(
      r?.timeMs != null
        ? limitMs('recovery time', r.timeMs, o.maxRecoveryTime)
        : { name: 'recovery time', limit: `≤ ${formatDuration(o.maxRecoveryTime)}`, measured: 'did not recover', passed: false },
    );
  }
  if (o.maxLostWrites !== undefined) {
    const lost = r?.lostWrites;
    results.push({
      name: 'lost writes',
      limit: `≤ ${o.maxLostWrites}`,
      measured: lost === undefined ? 'not measured' : String(lost),
      passed: lost !== undefined && lost <= o.maxLostWrites,
      ...(r ? { basis: `${r.ackedWrites} acknowledged writes` } : {}),
    });
  }
  // The app's own setup failing fails the drill whatever else was asked.
  if (input.setupFailure !== undefined) results.push({ name: 'setup', limit: 'succeeds', measured: input.setupFailure, passed: false });
  if (o.maxSetupTime !== undefined) {
    results.push(
      input.setupMs !== undefined
        ? limitMs('setup time', input.setupMs, o.maxSetupTime)
        : { name: 'setup time', limit: `≤ ${formatDuration(o.maxSetupTime)}`, measured: 'did not become healthy', passed: false },
    );
  }
  for (const [key, name, field] of [
    ['maxCpuOfLimit', 'CPU of limit', 'cpu'],
    ['maxMemoryOfLimit', 'memory of limit', 'memory'],
  ] as const) {
    const limit = o[key];
    if (limit === undefined) continue;
    const cap = isUsageDetails(input.details) ? input.details : undefined;
    const peak = cap?.[field]?.peakOfLimit;
    results.push(
      peak === undefined || peak === null
        ? {
            name,
            limit: `≤ ${percent(limit)}`,
            measured: cap?.usageUnavailable ? `not measured: ${cap.usageUnavailable}` : 'not measured: no limit set or no usage sampled',
            passed: false,
          }
        : { name, limit: `≤ ${percent(limit)}`, measured: `${percent(peak)} at peak`, passed: peak <= limit },
    );
  }
  return results;
}

function evaluateThreshold(t: Threshold, span: MeasuredSpan, phase: string | undefined): ObjectiveResult {
  const measured = measure(t, span);
  const suffix = phase ? ` (${phase})` : '';
  return {
    name: `${t.source}${suffix}`,
    limit: t.source,
    measured: measured.text,
    passed: measured.value !== undefined && compare(measured.value, t.op, t.value),
    basis: 'outcome' in t.metric && t.metric.outcome === 'failed_journeys' ? `${span.journeys?.ended ?? 0} journeys ended` : `${span.requests.total} requests`,
  };
}

function measure(t: Threshold, span: MeasuredSpan): { value: number | undefined; text: string } {
  const m = t.metric;
  const { requests } = span;
  switch (m.kind) {
    case 'latency': {
      if (requests.total === 0) return { value: undefined, text: 'no requests' };
      const l = span.latencyMs;
      const value =
        m.stat === 'avg'
          ? l.avg
          : m.stat === 'min'
            ? l.min
            : m.stat === 'max'
              ? l.max
              : m.stat === 'med'
                ? l.p50
                : span.latencyAt
                  ? span.latencyAt(m.percentile ?? 50)
                  : percentileOf(l, m.percentile ?? 50);
      const label = m.stat === 'p' ? `p(${m.percentile})` : m.stat;
      return { value, text: value === undefined ? `${label} not kept (use p(50), p(90), p(95), p(99) or p(99.9))` : `${label}=${formatMs(value)}` };
    }
    case 'rate': {
      if (m.outcome === 'failed_journeys') {
        const j = span.journeys;
        if (!j) return { value: undefined, text: 'no journeys: load.journeys is not set' };
        if (!j.ended) return { value: undefined, text: 'no journey ended' };
        const value = j.failed / j.ended;
        return { value, text: `failed journeys ${percent(value)} (${j.failed} of ${j.ended})` };
      }
      const count = countOf(requests, m.outcome);
      const base = m.outcome === 'dropped' ? requests.total + requests.dropped : requests.total;
      const value = base ? count / base : 0;
      return { value, text: `${m.outcome} ${percent(value)} (${count} of ${base})` };
    }
    case 'count': {
      if (m.outcome === 'failed_journeys') {
        if (!span.journeys) return { value: undefined, text: 'no journeys: load.journeys is not set' };
        return { value: span.journeys.failed, text: `failed_journeys=${span.journeys.failed}` };
      }
      const value = countOf(requests, m.outcome);
      return { value, text: `${m.outcome}=${value}` };
    }
    case 'rps': {
      const value = span.durationMs > 0 ? requests.total / (span.durationMs / 1000) : 0;
      return { value, text: `${value.toFixed(1)} req/s` };
    }
  }
}

function percentileOf(l: LatencyStats, p: number): number | undefined {
  const kept: Record<number, number> = { 50: l.p50, 90: l.p90, 95: l.p95, 99: l.p99, 99.9: l.p999, 100: l.max };
  return kept[p];
}

function countOf(requests: RequestCounts, className: string): number {
  let n = 0;
  for (const [outcome, count] of Object.entries(requests.byOutcome)) if (outcomeMatches(outcome, className)) n += count;
  return n;
}

function limitMs(name: string, measuredMs: number, limitMsValue: number, basis?: string): ObjectiveResult {
  return {
    name,
    limit: `≤ ${formatDuration(limitMsValue)}`,
    measured: formatDuration(measuredMs),
    passed: measuredMs <= limitMsValue,
    ...(basis ? { basis } : {}),
  };
}
