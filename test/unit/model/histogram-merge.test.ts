import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as hdr from 'hdr-histogram-js';
import {
  bucketIndexOf,
  concatEncoded,
  createRecordingHistogram,
  decodeHistogram,
  encodeHistogram,
  latencyStatsMs,
  mergeEncoded,
  recordMs,
} from '../../../src/model/histogram.js';

let seed = 7;
const random = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;

/** HdrHistogram itself, as golive used it before: the reference for layout and arithmetic. */
function reference(): hdr.Histogram {
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3, bitBucketSize: 64, autoResize: false });
}

test("bucket indexes are HdrHistogram's, over the whole range", () => {
  const ref = reference() as unknown as { countsArrayIndex(v: number): number };
  const values = [1, 2, 2047, 2048, 2049, 4095, 4096, 65_535, 1_000_000, 59_999_999, 60_000_000];
  for (let i = 0; i < 20_000; i++) values.push(1 + Math.floor(random() ** 4 * 59_999_999));
  for (const v of values) assert.equal(bucketIndexOf(v), ref.countsArrayIndex(v), `value ${v}`);
});

test("percentiles, mean, min and max are HdrHistogram's own", () => {
  for (const shape of [(r: number) => r * 10, (r: number) => r ** 3 * 50, (r: number) => (r < 0.99 ? r : 500 + r * 2000)]) {
    const ours = createRecordingHistogram();
    const ref = reference();
    for (let i = 0; i < 5000; i++) {
      const ms = shape(random());
      recordMs(ours, ms);
      ref.recordValue(Math.min(60_000_000, Math.max(1, Math.round(ms * 1000))));
    }
    for (const p of [0, 1, 50, 90, 99, 99.9, 99.99, 100]) assert.equal(ours.getValueAtPercentile(p), ref.getValueAtPercentile(p), `p${p}`);
    // The mean walks bucket middles: the reference's own mean of the same buckets.
    const stats = latencyStatsMs(ours);
    assert.equal(stats.avg, Math.round(ref.mean) / 1000);
    assert.equal(stats.p99, ref.getValueAtPercentile(99) / 1000);
    assert.equal(stats.max, ref.getValueAtPercentile(100) / 1000);
    ref.destroy();
  }
});

test('merging per-worker, per-second histograms equals one histogram of every value; concatenated encodings too', () => {
  const single = createRecordingHistogram();
  const parts: string[] = [];
  for (let worker = 0; worker < 4; worker++) {
    for (let second = 0; second < 5; second++) {
      const h = createRecordingHistogram();
      for (let i = 0; i < 500; i++) {
        // A long tail: most fast, some very slow, and the slow ones concentrated in worker 3.
        const ms = worker === 3 && second === 2 ? 500 + random() * 2000 : random() ** 3 * 50;
        recordMs(h, ms);
        recordMs(single, ms);
      }
      parts.push(encodeHistogram(h));
    }
  }
  const merged = mergeEncoded(parts);
  const concatenated = decodeHistogram(concatEncoded(parts));
  assert.equal(merged.totalCount, single.totalCount);
  assert.equal(concatenated.totalCount, single.totalCount);
  for (const p of [50, 90, 95, 99, 99.9, 100]) {
    assert.equal(merged.getValueAtPercentile(p), single.getValueAtPercentile(p), `p${p}`);
    assert.equal(concatenated.getValueAtPercentile(p), single.getValueAtPercentile(p), `p${p}`);
  }
  assert.deepEqual(latencyStatsMs(merged), latencyStatsMs(single));
  assert.equal(concatEncoded([parts[0]!]), parts[0], 'one part is taken as it is');
  assert.equal(concatEncoded(['', parts[1]!, '']), parts[1]);
});

test('histograms recorded by earlier versions (HdrHistogram compressed base64) still decode and merge', () => {
  const ref = reference();
  const h = createRecordingHistogram();
  for (let i = 1; i <= 1000; i++) {
    ref.recordValue(i * 100);
    recordMs(h, i / 10);
  }
  const legacy = hdr.encodeIntoCompressedBase64(ref);
  ref.destroy();
  const current = encodeHistogram(h);
  assert.ok(!legacy.startsWith('s1:') && current.startsWith('s1:'));
  const merged = mergeEncoded([legacy, current]);
  assert.equal(merged.totalCount, 2000);
  for (const p of [1, 50, 99, 100]) assert.equal(merged.getValueAtPercentile(p), h.getValueAtPercentile(p), `p${p}`);
  assert.equal(decodeHistogram(concatEncoded([legacy, current])).totalCount, 2000);
  // Sparse: 1,000 distinct values over 0.1–100 ms take far fewer bytes than one per bucket of the range.
  assert.ok(current.length < 12_000, `${current.length} characters`);
});
