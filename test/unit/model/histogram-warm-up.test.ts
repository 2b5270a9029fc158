import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';

const histogramModule = new URL('../../../src/model/histogram.js', import.meta.url).href;

/**
 * In a child node with V8's natives syntax: after warmUpHistograms, is each step of a second's histogram work
 * optimized (V8's compile is concurrent: polled until it is, or the deadline)? Then one more second of
 * real-shaped work, and again: none of it may have been thrown away.
 */
const probe = `
const { Histogram, concatEncoded, warmUpHistograms } = await import(${JSON.stringify(histogramModule)});
const steps = { record: Histogram.prototype.record, encode: Histogram.prototype.encode, addEncoded: Histogram.prototype.addEncoded, stats: Histogram.prototype.stats };
const optimized = () => Object.fromEntries(Object.entries(steps).map(([k, f]) => [k, (%GetOptimizationStatus(f) & 16) !== 0]));
const allOf = (o) => Object.values(o).every(Boolean);
warmUpHistograms();
const deadline = Date.now() + 20_000;
while (!allOf(optimized()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
const afterWarmUp = optimized();
// A second as a load makes it: three workers' latencies, 0.02 ms to 3 s, merged as text.
const parts = [];
for (let w = 0; w < 3; w++) {
  const h = new Histogram();
  for (let i = 0; i < 5000; i++) h.record(20 + ((i * 7919) % 1000) ** 3 / 333);
  parts.push(h.encode());
}
const merged = new Histogram();
merged.addEncoded(concatEncoded(parts));
const stats = merged.stats();
console.log(JSON.stringify({ afterWarmUp, afterASecond: optimized(), count: merged.totalCount, p50: stats.p50 }));
`;

test('the per-second histogram code is optimized before time zero and stays so through a real-shaped second', async () => {
  const out = await new Promise<string>((resolve, reject) =>
    execFile(process.execPath, ['--allow-natives-syntax', '--input-type=module', '-e', probe], { timeout: 60_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout),
    ),
  );
  const r = JSON.parse(out) as { afterWarmUp: Record<string, boolean>; afterASecond: Record<string, boolean>; count: number; p50: number };
  assert.deepEqual(r.afterWarmUp, { record: true, encode: true, addEncoded: true, stats: true });
  assert.deepEqual(r.afterASecond, { record: true, encode: true, addEncoded: true, stats: true });
  assert.equal(r.count, 15_000);
  assert.ok(r.p50 > 0);
});
