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
