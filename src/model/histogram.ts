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

/** The bucket layout of every histogram here (same range and precision): index i is the same bucket in all. */
type Buckets = Pick<hdr.JsHistogram, 'countsArrayIndex' | 'getCountAtIndex' | 'valueFromIndex'>;
const SPARSE = 's1:';

/**
 * A histogram as text: its non-zero buckets as `index.count` pairs in base 36. Encoding walks only the
 * buckets between the smallest and largest value — tens of µs, where the compressed base64 of
 * HdrHistogram's V2 format (deflate, then base64) took milliseconds on the worker's thread every second
 * and stalled the responses waiting behind it.
 */
export function encodeHistogram(histogram: Histogram): string {
  if (histogram.totalCount === 0) return SPARSE;
  const b = histogram as unknown as Buckets;
  const from = b.countsArrayIndex(histogram.minNonZeroValue);
  const to = b.countsArrayIndex(histogram.maxValue);
  const parts: string[] = [];
  for (let i = from; i <= to; i++) {
    const c = b.getCountAtIndex(i);
    if (c > 0) parts.push(`${i.toString(36)}.${c.toString(36)}`);
  }
  return SPARSE + parts.join(',');
}

/** Decodes either form: the sparse text above, or HdrHistogram's compressed base64 (results of earlier versions). */
export function decodeHistogram(encoded: string): Histogram {
  if (!encoded.startsWith(SPARSE)) return hdr.decodeFromCompressedBase64(encoded, 64, false);
  const h = createMergeHistogram();
  addEncoded(h, encoded);
  return h;
}

/** Adds an encoded histogram into `into` without building a histogram for it (either form). */
export function addEncoded(into: Histogram, encoded: string): void {
  if (!encoded.startsWith(SPARSE)) {
    const h = hdr.decodeFromCompressedBase64(encoded, 64, false);
    into.add(h);
    h.destroy();
    return;
  }
  const b = into as unknown as Buckets;
  const body = encoded.slice(SPARSE.length);
  if (!body) return;
  for (const pair of body.split(',')) {
    const dot = pair.indexOf('.');
    const index = parseInt(pair.slice(0, dot), 36);
    const count = parseInt(pair.slice(dot + 1), 36);
    // The lowest value of the bucket lands in the same bucket: counts, percentiles and mean are exact.
    into.recordValueWithCount(b.valueFromIndex(index), count);
  }
}

/** Exact merge: bucket counts add up, so percentiles of the merge equal percentiles of all values together. */
export function mergeEncoded(encoded: Iterable<string>, into: Histogram = createMergeHistogram()): Histogram {
  for (const e of encoded) addEncoded(into, e);
  return into;
}

const US_PER_MS = 1000;

type Walkable = Buckets & Pick<hdr.JsHistogram, 'countsArrayLength' | 'highestEquivalentValue' | 'medianEquivalentValue'>;
const PERCENTILES = [50, 90, 95, 99, 99.9, 100] as const;

/** HdrHistogram's unit in the last place, as its getValueAtPercentile rounds with it. */
function ulp(x: number): number {
  return Math.pow(2, Math.floor(Math.log2(x)) - 52);
}

/**
 * Mean and percentiles in one walk over the buckets, with exactly HdrHistogram's arithmetic (its `mean`
 * iterates the recorded values through an iterator object and took tens of ms per call on the main thread
 * every second, on the same core as the load when golive is pinned to one).
 */
export function latencyStatsMs(h: Histogram): LatencyStats {
  const total = h.totalCount;
  if (total === 0) return { avg: 0, min: 0, p50: 0, p90: 0, p95: 0, p99: 0, p999: 0, max: 0 };
  const w = h as unknown as Walkable;
  const targets = PERCENTILES.map((p) => {
    const fp = (p / 100) * total;
    return Math.max(Math.ceil(fp - ulp(fp)), 1);
  });
  const values: number[] = [];
  let sum = 0;
  let seen = 0;
  for (let i = 0; i < w.countsArrayLength && seen < total; i++) {
    const c = w.getCountAtIndex(i);
    if (c === 0) continue;
    seen += c;
    const v = w.valueFromIndex(i);
    sum += w.medianEquivalentValue(v) * c;
    while (values.length < targets.length && seen >= targets[values.length]!) values.push(w.highestEquivalentValue(v));
  }
  const ms = (us: number | undefined): number => round3((us ?? 0) / US_PER_MS);
  return {
    avg: round3(sum / total / US_PER_MS),
    min: round3(h.minNonZeroValue / US_PER_MS),
    p50: ms(values[0]),
    p90: ms(values[1]),
    p95: ms(values[2]),
    p99: ms(values[3]),
    p999: ms(values[4]),
    // From the buckets, like every percentile, so a merged histogram and a directly recorded one agree.
    max: ms(values[5]),
  };
}

function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}
