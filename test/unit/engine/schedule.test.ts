import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createArrivalSchedule, shareOf, vusAt } from '../../../src/engine/schedule.js';

test('constant rate: start j at j / rate, the exact count', () => {
  const s = createArrivalSchedule([{ durationMs: 5000, fromRps: 2000, toRps: 2000 }], { holdLast: false });
  assert.equal(s.total, 10_000);
  assert.equal(s.timeOfIndex(0), 0);
  assert.equal(s.timeOfIndex(1), 0.5);
  assert.equal(s.timeOfIndex(9999), 4999.5);
});

test('ramp: starts follow the integral of a linear rate', () => {
  // 0 → 100 req/s over 10 s: 500 starts; half of them in the last 2.93 s (t = 10·√0.5 = 7.07 s).
  const s = createArrivalSchedule([{ durationMs: 10_000, fromRps: 0, toRps: 100 }], { holdLast: false });
  assert.equal(s.total, 500);
  assert.ok(Math.abs(s.timeOfIndex(250) - 7071.07) < 0.1, `got ${s.timeOfIndex(250)}`);
  assert.ok(Math.abs(s.timeOfIndex(499) - 9989.99) < 0.1);
  for (let j = 1; j < 500; j++) assert.ok(s.timeOfIndex(j) > s.timeOfIndex(j - 1), 'strictly increasing');
});

test('stages chain, and an open-ended schedule holds the last rate', () => {
  const s = createArrivalSchedule(
    [
      { durationMs: 1000, fromRps: 100, toRps: 100 },
      { durationMs: 1000, fromRps: 100, toRps: 300 },
    ],
    { holdLast: true },
  );
  assert.equal(s.total, Infinity);
  assert.equal(s.timeOfIndex(100), 1000); // stage 1 holds 100 starts
  assert.ok(Math.abs(s.timeOfIndex(300) - 2000) < 1e-6); // stage 2 holds (100 + 300) / 2 = 200
  assert.ok(Math.abs(s.timeOfIndex(600) - 3000) < 1e-6); // then 300 req/s
  assert.equal(s.rateAt(1500), 200);
});

test('i of n segments interleave into the single schedule with no gap or overlap', () => {
  const s = createArrivalSchedule([{ durationMs: 1000, fromRps: 30, toRps: 90 }], { holdLast: false });
  const merged: number[] = [];
  for (let i = 0; i < 4; i++) for (let j = i; j < s.total; j += 4) merged.push(s.timeOfIndex(j));
  merged.sort((a, b) => a - b);
  assert.deepEqual(
    merged,
    Array.from({ length: s.total }, (_, j) => s.timeOfIndex(j)),
  );
});

test('VU ramps and shares', () => {
  const stages = [
    { durationMs: 1000, fromVus: 0, toVus: 10 },
    { durationMs: 1000, fromVus: 10, toVus: 10 },
  ];
  assert.equal(vusAt(stages, 500), 5);
  assert.equal(vusAt(stages, 1500), 10);
  assert.equal(vusAt(stages, 5000), 10);
  assert.deepEqual(
    [0, 1, 2].map((i) => shareOf(10, i, 3)),
    [4, 3, 3],
  );
});
