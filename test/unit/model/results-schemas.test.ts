/**
 * The schemas golive reads its files back through are the types it writes them from: checked here when the
 * tests compile (a field added to one and not the other fails `npm run typecheck`), and each schema accepts
 * what golive writes, with unknown fields, and names the field of a wrong type.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { z } from 'zod';
import type { LoadPlan } from '../../../src/engine/plan.js';
import { journalFileSchema } from '../../../src/model/journal-schema.js';
import type { RunResult } from '../../../src/model/result.js';
import { runResultSchema } from '../../../src/model/result-schema.js';
import { eventLineSchema, timelineLineSchema } from '../../../src/model/timeline.js';
import { workerPlanFileSchema, loadPlanSchema } from '../../../src/model/worker-plan-schema.js';
import { openPlan, request } from '../../helpers/plan.js';
import { drill, runResult } from '../../helpers/synthetic-results.js';

/** Structural equality that sees optional keys, after flattening intersections (`{ kind } & CapacityReport`). */
type Flat<T> = T extends readonly (infer U)[] ? Flat<U>[] : T extends object ? { [K in keyof T]: Flat<T[K]> } : T;
type Equals<A, B> = (<T>() => T extends Flat<A> ? 1 : 2) extends <T>() => T extends Flat<B> ? 1 : 2 ? true : false;

test('the result model, and the load plan, are exactly their schemas', () => {
  const summary: Equals<z.output<typeof runResultSchema>, RunResult> = true;
  const plan: Equals<z.output<typeof loadPlanSchema>, LoadPlan> = true;
  assert.ok(summary && plan);
});

/** A summary as golive writes it (through JSON), with the optional parts of the model filled in. */
const fixture = JSON.parse(
  JSON.stringify(
    runResult('rich', [
      drill('capacity', {
        capacity: { kind: 'usage', samples: 3, cpu: { peakMillicores: 200, requestMillicores: null, limitMillicores: 500, peakOfLimit: 0.4 } },
        placement: { byZone: { a: 2 }, byNode: { n1: 2 } },
        observed: [
          {
            name: 'errors',
            query: 'sum(rate(x[1m]))',
            source: 'prometheus',
            series: [{ labels: { pod: 'web-1' }, t: [0, 1000], v: [0, 1], nonFinite: { t: [2000], v: ['+Inf'] } }],
            drill: { min: 0, avg: 0.5, max: 1, last: 1, nonFinite: 1 },
            disruption: null,
          },
        ],
      }),
      drill('disaster-recovery', { recovery: { pointMs: null, timeMs: 2000, ackedWrites: 10, lostWrites: 1 }, setupMs: 3 }),
    ]),
  ),
) as Record<string, unknown> & { drills: Record<string, unknown>[] };

test('summary.json: a summary golive wrote is read back whole; unknown fields are accepted; a wrong type is named', () => {
  assert.deepEqual(runResultSchema.parse(fixture), fixture);
  assert.ok(runResultSchema.safeParse({ ...fixture, later: 1, drills: fixture.drills.map((d) => ({ ...d, later: { x: 1 } })) }).success);
  const wrong = runResultSchema.safeParse({ ...fixture, drills: [{ ...fixture.drills[0], passed: 'yes' }] });
  assert.deepEqual(
    wrong.error?.issues.map((i) => i.path.join('.')),
    ['drills.0.passed'],
  );
});

test('timeline and events lines: unknown fields accepted, a wrong type named, a histogram that is not one refused', () => {
  const line = {
    drill: 'app-update',
    second: 3,
    requests: { total: 2, ok: 1, failed: 1, dropped: 0 },
    byOutcome: { ok: 1, http_503: 1 },
    latencyMs: { p50: 1, p95: 2, p99: 2, max: 2 },
    inFlight: 0,
    latency: 's1:1a.1,2b.1',
    service: '',
    failedLatency: 's1:2b.1',
    bins: [300, 1, 1],
    failures: { http_503: [300, 1] },
  };
  assert.deepEqual(timelineLineSchema.parse(line), line);
  assert.ok(timelineLineSchema.safeParse({ ...line, later: true }).success);
  assert.deepEqual(
    timelineLineSchema.safeParse({ ...line, bins: [300, 1], latency: 's1:zz' }).error?.issues.map((i) => [i.path.join('.'), i.message]),
    [
      ['latency', 'not a histogram: expected s1: then index.count pairs in base 36'],
      ['bins', 'expected flat [bin, ok, failed] triples (a multiple of 3 numbers)'],
    ],
  );
  const event = { drill: 'app-update', atMs: 12, kind: 'rollout.started', message: 'revision 2' };
  assert.deepEqual(eventLineSchema.parse({ ...event, later: 1 }), event);
  assert.deepEqual(
    eventLineSchema.safeParse({ ...event, kind: 'rollout.exploded' }).error?.issues.map((i) => i.path.join('.')),
    ['kind'],
  );
});

test('journal.json: unknown fields are kept (recover rewrites it whole); a crafted action is refused', () => {
  const journal = {
    version: 1,
    pid: 42,
    later: 'kept',
    entries: [{ id: 1, at: '', change: 'c', undo: 'u', undone: false, action: { kind: 'temp-dir', path: '/tmp/golive-x', later: 2 } }],
  };
  assert.deepEqual(journalFileSchema.parse(journal), journal);
  for (const action of [
    { kind: 'process-group', pgid: -1, command: 'x' },
    { kind: 'temp-dir', path: 7 },
    { kind: 'rm-rf', path: '/' },
  ]) {
    assert.equal(journalFileSchema.safeParse({ ...journal, entries: [{ ...journal.entries[0], action }] }).success, false, JSON.stringify(action));
  }
});

test('the worker plan file: a plan golive builds is read back whole, with unknown fields', () => {
  const { weight: _weight, ...step } = request();
  const plan = openPlan('http://127.0.0.1:9', 50, 1000, {
    requests: [request({ body: '{"a":1}', check: { status: [200], jsonPath: { '$.a': 1 } } })],
    journeys: [
      {
        name: 'buy',
        weight: 1,
        cookies: true,
        maxDurationMs: 5000,
        steps: [{ ...step, extract: { token: { jsonPath: '$.token' } }, think: { minMs: 0, maxMs: 10 } }],
      },
    ],
    data: { rows: [{ user: 'a' }], order: 'random' },
  });
  const planFile = { plan, count: 2, startAtEpochMs: 1_700_000_000_000 };
  const json = JSON.parse(JSON.stringify(planFile)) as typeof planFile;
  assert.deepEqual(workerPlanFileSchema.parse({ ...json, later: 1 }), json);
  assert.equal(workerPlanFileSchema.safeParse({ ...json, count: 0 }).success, false);
});
