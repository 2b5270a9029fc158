import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRecordingHistogram, encodeHistogram, mergeEncoded, recordMs, latencyStatsMs } from '../../../src/model/histogram.js';

test('merging per-worker, per-second histograms equals one histogram of every value', () => {
  const single = createRecordingHistogram();
  const parts: string[] = [];
  let seed = 7;
  const random = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
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
  assert.equal(merged.totalCount, single.totalCount);
  for (const p of [50, 90, 95, 99, 99.9, 100]) {
    assert.equal(merged.getValueAtPercentile(p), single.getValueAtPercentile(p), `p${p}`);
  }
  assert.deepEqual(latencyStatsMs(merged), latencyStatsMs(single));
});

test('histograms recorded by earlier versions (HdrHistogram compressed base64) still decode and merge', async () => {
  const hdr = await import('hdr-histogram-js');
  const h = createRecordingHistogram();
  for (let i = 1; i <= 1000; i++) recordMs(h, i / 10);
  const legacy = hdr.encodeIntoCompressedBase64(h);
  const current = encodeHistogram(h);
  assert.ok(!legacy.startsWith('s1:') && current.startsWith('s1:'));
  const merged = mergeEncoded([legacy, current]);
  assert.equal(merged.totalCount, 2000);
  for (const p of [1, 50, 99, 100]) assert.equal(merged.getValueAtPercentile(p), h.getValueAtPercentile(p), `p${p}`);
  // Sparse: 1,000 distinct values over 0.1–100 ms take far fewer bytes than one per bucket of the range.
  assert.ok(current.length < 12_000, `${current.length} characters`);
});
