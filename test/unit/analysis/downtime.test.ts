import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TimelineEvent } from '../../../src/model/result.js';
import { computeDowntime, minOutageFailures } from '../../../src/analysis/downtime.js';

/** Bins from a picture: '.' ok only, 'x' failures only, '-' empty, '!' both. One character per 10 ms bin, 20 requests a bin (2,000 req/s). */
function bins(picture: string, perBin = 20): { ok: number[]; failed: number[] } {
  const ok: number[] = [];
  const failed: number[] = [];
  for (const c of picture) {
    ok.push(c === '.' || c === '!' ? perBin : 0);
    failed.push(c === 'x' || c === '!' ? perBin : 0);
  }
  return { ok, failed };
}

test('an outage in the middle: one window, exact length', () => {
  const d = computeDowntime(bins('....xxxxx....'));
  assert.deepEqual(
    d.windows.map((w) => [w.startMs, w.endMs, w.failed]),
    [[40, 90, 100]],
  );
  assert.equal(d.totalMs, 50);
  assert.equal(d.degradedMs, 0);
});

test('outages at the very start and the very end', () => {
  const d = computeDowntime(bins('xxx......xx'));
  assert.deepEqual(
    d.windows.map((w) => [w.startMs, w.endMs]),
    [
      [0, 30],
      [90, 110],
    ],
  );
  assert.equal(d.totalMs, 50);
  assert.equal(d.longestMs, 30);
});

test('empty bins between down bins belong to the window; empty bins at its edges do not', () => {
  const d = computeDowntime(bins('..--x--x--x--..'));
  assert.deepEqual(
    d.windows.map((w) => [w.startMs, w.endMs]),
    [[40, 110]],
  );
});

test('a lone failure between successes is an error, not downtime: it is degraded time', () => {
  const d = computeDowntime({ ok: [5, 5, 5, 0, 5, 5], failed: [0, 0, 0, 1, 0, 0] });
  assert.equal(d.totalMs, 0);
  assert.equal(d.windows.length, 0);
  assert.equal(d.degradedMs, 60, 'its slot, clipped to the 60 ms there are');
});

test('mixed bins (some users ok, some not) are degraded, not down', () => {
  // 2 s of every 4th request failing: 20 slots of 100 ms, each with a failure.
  const ok: number[] = [];
  const failed: number[] = [];
  for (let b = 0; b < 400; b++) {
    const inFault = b >= 100 && b < 300;
    ok.push(inFault ? 3 : 4);
    failed.push(inFault ? 1 : 0);
  }
  const d = computeDowntime({ ok, failed });
  assert.equal(d.totalMs, 0);
  assert.equal(d.degradedMs, 2000);
});

test('interleaved workers: bins merged from two workers give the same windows as one stream', () => {
  const a = bins('..xx..xxxx..');
  const b = bins('...x..xx-x..');
  const merged = { ok: a.ok.map((v, i) => v + b.ok[i]!), failed: a.failed.map((v, i) => v + b.failed[i]!) };
  // Bin 2 has a failure from a and a success from b: not down. Bins 6–9 are down in both.
  const d = computeDowntime(merged);
  assert.deepEqual(
    d.windows.map((w) => [w.startMs, w.endMs, w.failed]),
    [
      [30, 40, 40],
      [60, 100, 140],
    ],
  );
});

test('windows carry their outcome classes and the events inside them', () => {
  const { ok, failed } = bins('....xxxx....');
  const failuresByBin = {
    connect_refused: new Map([
      [4, 2],
      [5, 2],
    ]),
    http_503: new Map([
      [6, 2],
      [7, 2],
      [20, 1],
    ]),
  };
  const events: TimelineEvent[] = [
    { atMs: 35, kind: 'replicas.killed', message: 'before' },
    { atMs: 41, kind: 'replica.terminating', subject: 'web-1', message: 'inside' },
    { atMs: 80, kind: 'replica.ready', message: 'just after' },
  ];
  const d = computeDowntime({ ok, failed, failuresByBin, events });
  assert.deepEqual(d.windows[0]?.outcomes, { connect_refused: 4, http_503: 4 });
  assert.deepEqual(
    d.windows[0]?.events.map((e) => e.message),
    ['inside'],
  );
});

test('a phase restricts the bins considered', () => {
  const d = computeDowntime({ ...bins('xx....xxxx..xx'), fromMs: 20, toMs: 120 });
  assert.deepEqual(
    d.windows.map((w) => [w.startMs, w.endMs]),
    [[60, 100]],
  );
});

test('clock jitter between workers: one worker a bin late still gives one window, the same length', () => {
  const a = bins('....xxxxxx....');
  const late = bins('.....xxxxxx...');
  const merged = { ok: a.ok.map((v, i) => v + late.ok[i]!), failed: a.failed.map((v, i) => v + late.failed[i]!) };
  const d = computeDowntime(merged);
  // Bins 4 and 10 hold one failure and one success each: the edges blur by one bin, the window stays one.
  assert.deepEqual(
    d.windows.map((w) => [w.startMs, w.endMs, w.failed]),
    [[50, 100, 200]],
  );
  // Their 100 ms slots, less the window: 0–50 ms and 100–140 ms.
  assert.equal(d.degradedMs, 90, 'the two blurred edge bins make their slots degraded time');
});

test('a partial outage is never downtime by chance, at any rate; a full one is, at any rate', () => {
  // A fixed pseudo-random stream: 2 of 3 requests failing for 30 s, then everything refused for 1.5 s.
  let seed = 7;
  const random = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (const rps of [50, 100, 200, 1000]) {
    const binsCount = 3300; // 33 s
    const ok = new Array<number>(binsCount).fill(0);
    const failed = new Array<number>(binsCount).fill(0);
    for (let i = 0; i < (rps * binsCount) / 100; i++) {
      const atMs = (i * 1000) / rps;
      const bin = Math.floor(atMs / 10);
      const fails = atMs >= 31_000 && atMs < 32_500 ? true : atMs < 30_000 ? random() < 2 / 3 : false;
      if (fails) failed[bin]!++;
      else ok[bin]!++;
    }
    const d = computeDowntime({ ok, failed });
    assert.equal(d.windows.length, 1, `${rps} req/s: ${d.windows.map((w) => `${w.startMs}–${w.endMs} (${w.failed})`).join(', ')}`);
    assert.ok(Math.abs(d.totalMs - 1500) <= 60, `${rps} req/s: downtime ${d.totalMs} ms`);
    assert.ok(Math.abs(d.degradedMs - 30_000) <= 600, `${rps} req/s: degraded ${d.degradedMs} ms`);
  }
  // Inside a partial outage failing 2 of 3, a run must be long; with clean surroundings, a few failures in a row are down.
  assert.deepEqual(
    [
      [150, 2 / 3],
      [3000, 2 / 3],
      [150, 0.05],
      [3000, 0.05],
    ].map(([n, share]) => minOutageFailures(n!, share!)),
    [24, 32, 4, 5],
  );
});
