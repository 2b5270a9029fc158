import assert from 'node:assert/strict';
import { test } from 'node:test';
import { diagnose } from '../../../src/audit/diagnose.js';
import type { AuditFinding } from '../../../src/audit/model.js';
import type { DrillResult, TimelineEvent } from '../../../src/model/result.js';

const finding = (id: string, object: string): AuditFinding => ({
  id,
  rule: id,
  severity: 'warning',
  object,
  field: '',
  drills: ['node-drain'],
  message: `${id} of ${object}`,
  why: '',
  fix: '',
});

const drill = (events: TimelineEvent[], windows: [number, number][]): DrillResult =>
  ({
    name: 'node-drain',
    kind: 'node-drain',
    passed: false,
    events,
    downtime: {
      totalMs: 0,
      longestMs: 0,
      degradedMs: 0,
      windows: windows.map(([startMs, endMs]) => ({ startMs, endMs, failed: 5, outcomes: {}, events: [] })),
    },
  }) as unknown as DrillResult;

test("in a system of workloads, a finding explains a window only when its own workload's pods were disrupted then", () => {
  const findings = [
    finding('GL008', 'Deployment shop/api'),
    finding('GL008', 'Deployment shop/front'),
    finding('GL001', 'StatefulSet shop/store'),
    finding('GL008', 'Deployment shop/api-v2'),
  ];
  // Window 1 follows the eviction of a front pod; window 2 that of the store's pod and an api pod.
  const events: TimelineEvent[] = [
    { atMs: 1000, kind: 'node.cordoned', subject: 'node-a1', message: 'unschedulable' },
    { atMs: 1100, kind: 'eviction', subject: 'shop/front-7d9c8b6f5-x2k4q', message: 'evicted' },
    { atMs: 1150, kind: 'pod.terminating', subject: 'front-7d9c8b6f5-x2k4q', message: 'terminating' },
    { atMs: 1200, kind: 'pod.created', subject: 'front-7d9c8b6f5-m8n2p', message: 'created' },
    { atMs: 3500, kind: 'pod.ready', subject: 'front-7d9c8b6f5-m8n2p', message: 'Ready' },
    { atMs: 11_200, kind: 'pod.deleted', subject: 'front-7d9c8b6f5-x2k4q', message: 'deleted' },
    { atMs: 20_000, kind: 'node.cordoned', subject: 'node-b1', message: 'unschedulable' },
    { atMs: 20_100, kind: 'eviction', subject: 'shop/store-0', message: 'evicted' },
    { atMs: 20_150, kind: 'eviction', subject: 'shop/api-5f6d7c8b9-abcde', message: 'evicted' },
  ];
  const explained = diagnose(
    drill(events, [
      [1500, 3000],
      [20_500, 22_000],
    ]),
    findings,
  ).map((f) => f.message);
  assert.deepEqual(explained, [
    'explains outage window 20.5–22.0 s: Deployment shop/api: GL008 of Deployment shop/api',
    'explains outage window 1.5–3.0 s: Deployment shop/front: GL008 of Deployment shop/front',
    'explains outage window 20.5–22.0 s: StatefulSet shop/store: GL001 of StatefulSet shop/store',
  ]);
});

test('a finding about something other than a Deployment or StatefulSet (the local app) explains as before', () => {
  const events: TimelineEvent[] = [{ atMs: 1100, kind: 'eviction', subject: 'app-r1', message: 'evicted' }];
  assert.deepEqual(
    diagnose(drill(events, [[1500, 3000]]), [finding('GL008', 'LocalApp local/app')]).map((f) => f.id),
    ['GL008'],
  );
});
