/**
 * Latency histograms: HdrHistogram, 1 µs … 60 s, 3 significant digits (DESIGN.md §3).
 * Values are recorded in microseconds; they cross threads and processes as compressed base64.
 */
import * as hdr from 'hdr-histogram-js';
import type { Histogram } from 'hdr-histogram-js';
import type { LatencyStats } from './result.js';

export type { Histogram };

const HISTOGRAM_LOWEST_US = 1;
const HISTOGRAM_HIGHEST_US = 60_000_000;

/** A histogram for recording in a worker: one second of one worker never overflows 32-bit counts. */
export function createRecordingHistogram(): Histogram {
  return hdr.build({
    lowestDiscernibleValue: HISTOGRAM_LOWEST_US,
    highestTrackableValue: HISTOGRAM_HIGHEST_US,
    numberOfSignificantValueDigits: 3,
    bitBucketSize: 32,
    autoResize: false,
  });
}

/** A histogram for merging many seconds and workers: 64-bit counts. */
export function createMergeHistogram(): Histogram {
  return hdr.build({
    lowestDiscernibleValue: HISTOGRAM_LOWEST_US,
    highestTrackableValue: HISTOGRAM_HIGHEST_US,
    numberOfSignificantValueDigits: 3,
    bitBucketSize: 64,
    autoResize: false,
  });
}

/** Records a latency given in milliseconds, clamped into the trackable range. */
export function recordMs(histogram: Histogram, ms: number): void {
  const us = Math.round(ms * 1000);
  histogram.recordValue(us < HISTOGRAM_LOWEST_US ? HISTOGRAM_LOWEST_US : us > HISTOGRAM_HIGHEST_US ? HISTOGRAM_HIGHEST_US : us);
}

export function encodeHistogram(histogram: Histogram): string {
  return hdr.encodeIntoCompressedBase64(histogram);
}

export function decodeHistogram(encoded: string): Histogram {
  return hdr.decodeFromCompressedBase64(encoded, 64, false);
}

/** Exact merge: bucket counts add up, so percentiles of the merge equal percentiles of all values together. */
export function mergeEncoded(encoded: Iterable<string>, into: Histogram = createMergeHistogram()): Histogram {
  for (const e of encoded) {
    const h = decodeHistogram(e);
    into.add(h);
    h.destroy();
  }
  return into;
}

const US_PER_MS = 1000;

export function latencyStatsMs(h: Histogram): LatencyStats {
  if (h.totalCount === 0) return { avg: 0, min: 0, p50: 0, p90: 0, p95: 0, p99: 0, p999: 0, max: 0 };
  const at = (p: number): number => round3(h.getValueAtPercentile(p) / US_PER_MS);
  return {
    avg: round3(h.mean / US_PER_MS),
    min: round3(h.minNonZeroValue / US_PER_MS),
    p50: at(50),
    p90: at(90),
    p95: at(95),
    p99: at(99),
    p999: at(99.9),
    // From the buckets, like every percentile, so a merged histogram and a directly recorded one agree.
    max: at(100),
  };
}

function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}
