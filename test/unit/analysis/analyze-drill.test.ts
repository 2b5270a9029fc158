import assert from 'node:assert/strict';
import { appUpdate } from '../../../src/drills/app-update.js';
import { test } from 'node:test';
import { analyzeDrill } from '../../../src/analysis/analyze-drill.js';
import { addCounts, type OutcomeCounts } from '../../../src/model/outcome.js';
import type { Recording, SecondRecord } from '../../../src/model/recording.js';

/** 3 ok and (in some bins) 1 failed request per 10 ms bin of intended start, for `durationMs`; seconds by the same starts. */
function recording(durationMs: number): Recording {
  const bins = Math.ceil(durationMs / 10);
  const ok = new Float64Array(bins).fill(3);
  const failed = new Float64Array(bins);
  const failures = new Map<number, number>();
  // Failures in the bins around each phase boundary below (215 ms and 1,500 ms) and at the very end.
  for (const b of [20, 21, 22, 149, 150, 151, bins - 1]) {
    failed[b] = 1;
    failures.set(b, 1);
  }
  const seconds: SecondRecord[] = [];
  for (let s = 0; s * 100 < bins; s++) {
    const outcomes: OutcomeCounts = {};
    for (let b = s * 100; b < Math.min(bins, (s + 1) * 100); b++) addCounts(outcomes, { ok: ok[b]!, http_503: failed[b]! });
    seconds.push({ second: s, latency: '', service: '', outcomes, inFlight: 0 });
  }
  return {
    startEpochMs: 0,
    durationMs,
    seconds,
    binsOk: ok,
    binsFailed: failed,
    failuresByBin: { http_503: failures },
    lag: '',
    retries: 0,
    workers: { kind: 'threads', count: 1, startOffsetsMs: [0], lost: [] },
  };
}

test("phases partition the drill's requests: boundaries inside a bin and inside a second count each request once, so the phases add up to the drill", () => {
  const result = analyzeDrill({
    name: 'app-update',
    kind: 'app-update',
    defaultObjectives: appUpdate.defaultObjectives,
    startedAt: '',
    load: {
      model: 'open',
      executor: 'constant-arrival-rate',
      targetRps: 300,
      durationMs: 2993,
      connections: 10,
      threads: 1,
      workers: { kind: 'threads', count: 1 },
    },
    // As a drill marks them: the first a moment after zero, the last ending where the load stopped (mid-bin).
    recording: recording(2993),
    events: [],
    phases: [
      { name: 'baseline', startMs: 1.1, endMs: 215 },
      { name: 'disruption', startMs: 215, endMs: 1500.4 },
      { name: 'tail', startMs: 1500.4, endMs: 2993 },
    ],
    objectives: {},
    thresholds: [],
  });
  assert.deepEqual(result.requests.byOutcome, { ok: 900, http_503: 7 });
  const sum = { total: 0, ok: 0, failed: 0, byOutcome: {} as OutcomeCounts };
  for (const p of result.phases) {
    sum.total += p.requests.total;
    sum.ok += p.requests.ok;
    sum.failed += p.requests.failed;
    addCounts(sum.byOutcome, p.requests.byOutcome);
  }
  assert.deepEqual(sum, { total: result.requests.total, ok: result.requests.ok, failed: result.requests.failed, byOutcome: result.requests.byOutcome });
  // Each bin in the phase its middle falls in: bin 21 (210–220 ms) is the disruption's, bin 150 (1,500–1,510 ms) the tail's.
  assert.deepEqual(
    result.phases.map((p) => `${p.name} ${p.requests.ok} ok ${p.requests.failed} failed`),
    ['baseline 63 ok 1 failed', 'disruption 387 ok 3 failed', 'tail 450 ok 3 failed'],
  );
});
