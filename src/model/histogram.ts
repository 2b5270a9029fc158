/**
 * Latency histograms: HdrHistogram's layout and arithmetic (1 µs … 60 s, 3 significant digits; DESIGN.md §3),
 * over a plain array of bucket counts. Values are microseconds. Recording is one index computation and one
 * increment; a histogram crosses threads and processes as its non-zero buckets (`s1:` text), and merging,
 * encoding, resetting and percentiles walk only the buckets between the smallest and largest value. The
 * library's objects cost ~1 µs per recorded value on the worker's hot path and tens of ms a second to merge
 * on the coordinator; hdr-histogram-js is kept to read results of earlier versions (compressed base64), and
 * loaded only then.
 */
import { createRequire } from 'node:module';
import type * as Hdr from 'hdr-histogram-js';
import type { LatencyStats } from './result.js';

/** Loaded only to read an old result: the library (with its inlined WebAssembly) costs ~12 MB in every thread. */
const loadHdr = (): typeof Hdr => createRequire(import.meta.url)('hdr-histogram-js') as typeof Hdr;

const LOWEST_US = 1;
const HIGHEST_US = 60_000_000;
/** 3 significant digits: 2,048 sub-buckets per power of two; the index space of HdrHistogram for this range. */
const SUB_BUCKET_HALF_COUNT_MAGNITUDE = 10;
const SUB_BUCKET_HALF_COUNT = 1 << SUB_BUCKET_HALF_COUNT_MAGNITUDE;
const SUB_BUCKET_MASK = 2 * SUB_BUCKET_HALF_COUNT - 1;
/** Buckets needed so that HIGHEST_US is trackable: 2,048 · 2^15 > 60 s. */
const BUCKET_COUNT = 16;
const COUNTS_LENGTH = (BUCKET_COUNT + 1) * SUB_BUCKET_HALF_COUNT;
const SPARSE = 's1:';

/** The bucket index of a value in µs (1 … 60 s): HdrHistogram's countsArrayIndex for this layout. */
export function bucketIndexOf(us: number): number {
  const bucket = 21 - Math.clz32(us | SUB_BUCKET_MASK); // = 53 − clz64(value | mask): values here fit in 32 bits
  return ((bucket + 1) << SUB_BUCKET_HALF_COUNT_MAGNITUDE) + ((us >>> bucket) - SUB_BUCKET_HALF_COUNT);
}

/** The lowest value (µs) of bucket `index`, and the width of the range of values it holds. */
function lowestOf(index: number): number {
  const bucket = (index >> SUB_BUCKET_HALF_COUNT_MAGNITUDE) - 1;
  return bucket < 0 ? index : ((index & (SUB_BUCKET_HALF_COUNT - 1)) + SUB_BUCKET_HALF_COUNT) * 2 ** bucket;
}
function widthOf(index: number): number {
  const bucket = (index >> SUB_BUCKET_HALF_COUNT_MAGNITUDE) - 1;
  return bucket < 0 ? 1 : 2 ** bucket;
}

export class Histogram {
  private readonly counts = new Float64Array(COUNTS_LENGTH);
  /** The range of indexes that may hold counts (empty when from > to). */
  private from = COUNTS_LENGTH;
  private to = -1;
  totalCount = 0;

  /** Records a value in µs, clamped into the trackable range. */
  record(us: number): void {
    const v = us < LOWEST_US ? LOWEST_US : us > HIGHEST_US ? HIGHEST_US : Math.round(us);
    const i = bucketIndexOf(v);
    this.counts[i]!++;
    this.totalCount++;
    if (i < this.from) this.from = i;
    if (i > this.to) this.to = i;
  }

  private addAt(index: number, count: number): void {
    this.counts[index]! += count;
    this.totalCount += count;
    if (index < this.from) this.from = index;
    if (index > this.to) this.to = index;
  }

  /** Adds an encoded histogram: the sparse text, or HdrHistogram's compressed base64 of earlier versions. */
  addEncoded(encoded: string): void {
    if (!encoded.startsWith(SPARSE)) {
      const legacy = loadHdr().decodeFromCompressedBase64(encoded, 64, false);
      const h = legacy as unknown as Pick<Hdr.JsHistogram, 'countsArrayLength' | 'getCountAtIndex'>;
      // The same layout (1 µs … 60 s, 3 digits): bucket i is bucket i here.
      for (let i = 0; i < Math.min(h.countsArrayLength, COUNTS_LENGTH); i++) {
        const c = h.getCountAtIndex(i);
        if (c > 0) this.addAt(i, c);
      }
      legacy.destroy();
      return;
    }
    let at = SPARSE.length;
    const end = encoded.length;
    while (at < end) {
      let index = 0;
      let c = encoded.charCodeAt(at++);
      while (at <= end && c !== 46 /* . */) {
        index = index * 36 + digit36(c);
        c = encoded.charCodeAt(at++);
      }
      let count = 0;
      while (at < end && (c = encoded.charCodeAt(at++)) !== 44 /* , */) count = count * 36 + digit36(c);
      if (index < COUNTS_LENGTH) this.addAt(index, count);
    }
  }

  /** Its non-zero buckets as `index.count` pairs in base 36, in index order. */
  encode(): string {
    const parts: string[] = [];
    for (let i = this.from; i <= this.to; i++) {
      const c = this.counts[i]!;
      if (c > 0) parts.push(`${i.toString(36)}.${c.toString(36)}`);
    }
    return SPARSE + parts.join(',');
  }

  reset(): void {
    if (this.to >= this.from) this.counts.fill(0, this.from, this.to + 1);
    this.from = COUNTS_LENGTH;
    this.to = -1;
    this.totalCount = 0;
  }

  /** Removes another histogram's counts (a subset recorded alike: the failed among all). */
  subtract(other: Histogram): void {
    for (let i = other.from; i <= other.to; i++) {
      const c = other.counts[i]!;
      if (c === 0) continue;
      this.counts[i]! -= c;
      this.totalCount -= c;
    }
  }

  /** HdrHistogram's getValueAtPercentile (µs): the highest value equivalent to the one at `percentile`. */
  getValueAtPercentile(percentile: number): number {
    const target = countAt(Math.min(percentile, 100), this.totalCount);
    let seen = 0;
    for (let i = Math.max(0, this.from); i <= this.to; i++) {
      seen += this.counts[i]!;
      if (seen >= target) return percentile === 0 ? lowestOf(i) : lowestOf(i) + widthOf(i) - 1;
    }
    return 0;
  }

  /**
   * Mean and percentiles in one walk over the buckets, in HdrHistogram's arithmetic: percentiles are the
   * highest value of their bucket, the mean counts each bucket at its middle, min is the lowest bucket's floor.
   */
  stats(): LatencyStats {
    const total = this.totalCount;
    if (total === 0) return { avg: 0, min: 0, p50: 0, p90: 0, p95: 0, p99: 0, p999: 0, max: 0 };
    // Typed arrays, not arrays that grow: a pushed value that is not a small integer changed the array's
    // kind, and V8 threw the optimized code away (a 10-20 ms recompile, during the load, on its core).
    const targets = STATS_TARGETS;
    const values = STATS_VALUES;
    for (let k = 0; k < PERCENTILES.length; k++) targets[k] = countAt(PERCENTILES[k]!, total);
    let found = 0;
    let sum = 0;
    let seen = 0;
    let min = -1;
    for (let i = this.from; i <= this.to && seen < total; i++) {
      const c = this.counts[i]!;
      if (c === 0) continue;
      const lowest = lowestOf(i);
      if (min < 0) min = lowest;
      seen += c;
      const width = widthOf(i);
      sum += (lowest + Math.floor(width / 2)) * c;
      while (found < PERCENTILES.length && seen >= targets[found]!) values[found++] = lowest + width - 1;
    }
    for (let k = found; k < PERCENTILES.length; k++) values[k] = 0;
    const ms = (us: number): number => round3(us / US_PER_MS);
    return {
      avg: round3(sum / total / US_PER_MS),
      min: round3(min / US_PER_MS),
      p50: ms(values[0]!),
      p90: ms(values[1]!),
      p95: ms(values[2]!),
      p99: ms(values[3]!),
      p999: ms(values[4]!),
      // From the buckets, like every percentile, so a merged histogram and a directly recorded one agree.
      max: ms(values[5]!),
    };
  }
}

function digit36(c: number): number {
  return c <= 57 ? c - 48 : c - 87; // 0-9, a-z
}

const PERCENTILES = [50, 90, 95, 99, 99.9, 100] as const;
const STATS_TARGETS = new Float64Array(PERCENTILES.length);
const STATS_VALUES = new Float64Array(PERCENTILES.length);

/** The count a percentile must reach, rounded up as HdrHistogram does (guarding one ulp of float error). */
function countAt(percentile: number, total: number): number {
  const fp = (percentile / 100) * total;
  return Math.max(Math.ceil(fp - ulp(fp)), 1);
}

function ulp(x: number): number {
  return x === 0 ? Number.MIN_VALUE : Math.pow(2, Math.floor(Math.log2(x)) - 52);
}

/** Non-zero buckets `index.count`, base 36: a count has at most 11 digits (36^11 > 2^53). */
const SPARSE_FORM = /^s1:(?:[0-9a-z]{1,5}\.[0-9a-z]{1,11}(?:,[0-9a-z]{1,5}\.[0-9a-z]{1,11})*)?$/;
/** Every bucket of the layout, each at its longest: no histogram golive writes is longer. */
const MAX_SPARSE_CHARS = SPARSE.length + COUNTS_LENGTH * 18;
/** An earlier version's compressed histogram of one second is a few KiB; inflating a longer one could take gigabytes. */
const MAX_LEGACY_CHARS = 64 * 1024;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Why `text` read from a file is not an encoded histogram golive can add; undefined when it is one ('' is empty). */
export function whyNotEncodedHistogram(text: string): string | undefined {
  if (text === '') return undefined;
  if (text.startsWith(SPARSE)) {
    if (text.length > MAX_SPARSE_CHARS) return `longer than any histogram (${text.length} characters)`;
    return SPARSE_FORM.test(text) ? undefined : 'not a histogram: expected s1: then index.count pairs in base 36';
  }
  if (text.length > MAX_LEGACY_CHARS || !BASE64.test(text)) return 'not a histogram (neither s1: buckets nor a compressed HdrHistogram of at most 64 KiB)';
  try {
    loadHdr().decodeFromCompressedBase64(text, 64, false).destroy();
    return undefined;
  } catch (err) {
    return `not a histogram: ${(err as Error).message}`;
  }
}

/** A histogram for recording in a worker (one second of one worker). */
export function createRecordingHistogram(): Histogram {
  return new Histogram();
}

/** A histogram for merging many seconds and workers (counts are exact up to 2^53). */
export function createMergeHistogram(): Histogram {
  return new Histogram();
}

/** Records a latency given in milliseconds. */
export function recordMs(histogram: Histogram, ms: number): void {
  histogram.record(ms * 1000);
}

export function encodeHistogram(histogram: Histogram): string {
  return histogram.encode();
}

/** Decodes either form: the sparse text, or HdrHistogram's compressed base64 (results of earlier versions). */
export function decodeHistogram(encoded: string): Histogram {
  const h = new Histogram();
  h.addEncoded(encoded);
  return h;
}

/** Adds an encoded histogram into `into` (either form). */
export function addEncoded(into: Histogram, encoded: string): void {
  into.addEncoded(encoded);
}

/** Exact merge: bucket counts add up, so percentiles of the merge equal percentiles of all values together. */
export function mergeEncoded(encoded: Iterable<string>, into: Histogram = createMergeHistogram()): Histogram {
  for (const e of encoded) into.addEncoded(e);
  return into;
}

/**
 * Merges encoded histograms into one encoding without building a histogram: one encoding is returned as it
 * is; several are concatenated, since a bucket named twice adds up when read (for the coordinator's
 * per-second merge, where every µs is taken from the load on the same core).
 */
export function concatEncoded(encoded: readonly string[]): string {
  const parts = encoded.filter((e) => e && e !== SPARSE);
  if (parts.length <= 1) return parts[0] ?? '';
  if (!parts.every((e) => e.startsWith(SPARSE))) return mergeEncoded(parts).encode();
  return SPARSE + parts.map((e) => e.slice(SPARSE.length)).join(',');
}

const US_PER_MS = 1000;

export function latencyStatsMs(h: Histogram): LatencyStats {
  return h.stats();
}

function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}

/** Rounds of warmUpHistograms: enough for V8 to optimize every step (measured with --trace-opt). */
const WARM_UP_ROUNDS = 30;
const WARM_UP_VALUES = 200;
/** Made-up latencies spread from 10 µs to 100 ms, as a second of a real load spreads them. */
const WARM_UP_LOG_RANGE = Math.log(10_000);

/**
 * Runs what every second of a load runs on histograms — record, encode, merge the text, percentiles — on
 * made-up values, so V8 optimizes that code before time zero. Run once a second, it became hot
 * only seconds into the load, and V8 compiled it then (10–20 ms of a helper thread each time): on a core
 * shared with the load, stalls of every request in flight at second boundaries. 20–30 ms of CPU, once.
 */
export function warmUpHistograms(): void {
  const recorded = new Histogram();
  const merged = new Histogram();
  let seed = 1;
  for (let round = 0; round < WARM_UP_ROUNDS; round++) {
    for (let i = 0; i < WARM_UP_VALUES; i++) {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      recorded.record(10 * Math.exp((seed / 2_147_483_648) * WARM_UP_LOG_RANGE));
    }
    const text = concatEncoded([recorded.encode(), recorded.encode()]);
    merged.reset();
    merged.addEncoded(text);
    merged.stats();
    recorded.reset();
  }
}
