/** Request counts and latency statistics over a span of recorded seconds. */
import { addEncoded, createMergeHistogram, latencyStatsMs } from '../model/histogram.js';
import { addCounts, isFailure, type OutcomeCounts } from '../model/outcome.js';
import type { Recording, SecondRecord } from '../model/recording.js';
import type { LatencyStats, RequestCounts } from '../model/result.js';

export function requestCounts(byOutcome: OutcomeCounts): RequestCounts {
  let ok = 0;
  let failed = 0;
  let dropped = 0;
  for (const [outcome, n] of Object.entries(byOutcome)) {
    if (outcome === 'ok') ok += n;
    else if (outcome === 'dropped') dropped += n;
    else if (isFailure(outcome)) failed += n;
  }
  return { total: ok + failed, ok, failed, dropped, byOutcome: sortedCounts(byOutcome) };
}

function sortedCounts(counts: OutcomeCounts): OutcomeCounts {
  return Object.fromEntries(
    Object.entries(counts)
      .filter(([, n]) => n > 0)
      .sort(([a], [b]) => (a === 'ok' ? -1 : b === 'ok' ? 1 : a.localeCompare(b))),
  );
}

export interface SpanStats {
  requests: RequestCounts;
  latencyMs: LatencyStats;
  serviceTimeMs: LatencyStats;
  /** Any latency percentile (ms), read from the merged histogram. */
  latencyAt: (percentile: number) => number;
}

/**
 * Stats of the seconds whose middle lies in [fromMs, toMs): the whole run, or a phase to the nearest second.
 * Histograms merge exactly.
 */
export function spanStats(seconds: readonly SecondRecord[], fromMs = 0, toMs = Infinity): SpanStats {
  const latency = createMergeHistogram();
  const service = createMergeHistogram();
  const outcomes: OutcomeCounts = {};
  const middleInside = (s: SecondRecord): boolean => s.second * 1000 + 500 >= fromMs && s.second * 1000 + 500 < toMs;
  const overlaps = (s: SecondRecord): boolean => s.second * 1000 < toMs && (s.second + 1) * 1000 > fromMs;
  // A phase shorter than a second holds no second's middle: it takes the seconds it overlaps.
  const inSpan = seconds.some(middleInside) ? middleInside : overlaps;
  for (const s of seconds) {
    if (!inSpan(s)) continue;
    if (s.latency) addEncoded(latency, s.latency);
    if (s.service) addEncoded(service, s.service);
    addCounts(outcomes, s.outcomes);
  }
  return {
    requests: requestCounts(outcomes),
    latencyMs: latencyStatsMs(latency),
    serviceTimeMs: latencyStatsMs(service),
    latencyAt: (p) => (latency.totalCount ? latency.getValueAtPercentile(p) / 1000 : 0),
  };
}

/** Exact request counts of the 10 ms bins (by intended start) [fromBin, toBin); `dropped` is not binned. */
export function binCounts(recording: Pick<Recording, 'binsOk' | 'binsFailed' | 'failuresByBin'>, fromBin: number, toBin: number): RequestCounts {
  const from = Math.max(0, fromBin);
  const to = Math.min(recording.binsOk.length, toBin);
  let ok = 0;
  let failed = 0;
  for (let b = from; b < to; b++) {
    ok += recording.binsOk[b] ?? 0;
    failed += recording.binsFailed[b] ?? 0;
  }
  const byOutcome: OutcomeCounts = ok ? { ok } : {};
  for (const [outcome, bins] of Object.entries(recording.failuresByBin)) {
    let n = 0;
    for (const [bin, count] of bins) if (bin >= from && bin < to) n += count;
    if (n) byOutcome[outcome] = n;
  }
  return { total: ok + failed, ok, failed, dropped: 0, byOutcome: sortedCounts(byOutcome) };
}
