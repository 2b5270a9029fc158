import assert from 'node:assert/strict';
import { test } from 'node:test';
import { drillSeries, type TimelineSecond } from '../../../src/report/drill-series.js';
import { createRecordingHistogram, encodeHistogram, recordMs } from '../../../src/model/histogram.js';
import { computeDowntime } from '../../../src/analysis/downtime.js';
import { createTerminalReporter } from '../../../src/report/terminal-reporter.js';
import { drill } from '../../helpers/synthetic-results.js';

function encoded(valuesMs: number[]): string {
  const h = createRecordingHistogram();
  for (const v of valuesMs) recordMs(h, v);
  return h.totalCount ? encodeHistogram(h) : '';
}

/** One second: `ok` requests at okMs latency and `failed` at failedMs, all intended in its first 10 ms bin. */
function second(n: number, ok: number, failed: number, okMs = 5, failedMs = 1): TimelineSecond {
  const all = [...Array<number>(ok).fill(okMs), ...Array<number>(failed).fill(failedMs)];
  return {
    second: n,
    requests: { ok, failed },
    latency: encoded(all),
    failedLatency: encoded(Array<number>(failed).fill(failedMs)),
    bins: [n * 100, ok, failed],
    latencyMs: { p50: 0, p95: 0, p99: 0 },
  };
}

test('a partial last second is plotted over its own length; responses after the load ends fold into it', () => {
  // The load ran 3.5 s: second 3 holds half a second of load; second 4 only late responses.
  const s = drillSeries([second(0, 100, 0), second(1, 100, 0), second(2, 100, 0), second(3, 40, 0), second(4, 10, 0)], 3500);
  assert.deepEqual(s.t, [0.5, 1.5, 2.5, 3.25]);
  assert.deepEqual(s.span, [1, 1, 1, 0.5]);
  assert.deepEqual(s.ok, [100, 100, 100, 100], '(40 + 10) requests over 0.5 s: no cliff at the end');
});

test('a last second too short to rate is plotted with the one before it', () => {
  const s = drillSeries([second(0, 100, 0), second(1, 100, 0), second(2, 5, 0)], 2050);
  assert.deepEqual(s.span, [1, 1.05]);
  assert.deepEqual(s.ok, [100, 100]);
});

test('ok and failed latency apart: fast 502s do not pull the ok latency down', () => {
  const s = drillSeries([second(0, 90, 10, 200, 1), second(1, 0, 100, 0, 2), second(2, 100, 0, 50)], 3000);
  const near = (v: number | null | undefined, want: number): boolean => v !== null && v !== undefined && Math.abs(v - want) <= want * 0.001;
  assert.ok(near(s.okP50[0], 200), `ok p50 ${s.okP50[0]} (HdrHistogram: 3 significant digits)`);
  assert.ok(near(s.failedP50[0], 1));
  assert.equal(s.okP99[1], null, 'no ok request in a total outage: nothing to plot, not 0');
  assert.ok(near(s.failedP99[1], 2));
  assert.equal(s.failedP50[2], null);
  assert.ok(near(s.okP95[2], 50));
});

test('the downtime strip sums the 10 ms bins into 100 ms slots of intended start', () => {
  const lines: TimelineSecond[] = [
    { ...second(0, 0, 0), bins: [0, 3, 0, 9, 2, 0, 10, 1, 4, 25, 0, 6] },
    { ...second(1, 0, 0), bins: [199, 1, 1] },
  ];
  const s = drillSeries(lines, 2000);
  assert.equal(s.strip.slotMs, 100);
  assert.equal(s.strip.ok.length, 20);
  assert.deepEqual([s.strip.ok[0], s.strip.failed[0]], [5, 0], 'bins 0 and 9');
  assert.deepEqual([s.strip.ok[1], s.strip.failed[1]], [1, 4], 'bin 10');
  assert.deepEqual([s.strip.ok[2], s.strip.failed[2]], [0, 6], 'bin 25');
  assert.deepEqual([s.strip.ok[3], s.strip.failed[3]], [0, 0]);
  assert.deepEqual([s.strip.ok[19], s.strip.failed[19]], [1, 1], 'bin 199, reported a second later');
});

test('an outage window names the events of the second before it as its likely trigger', () => {
  const ok = new Array<number>(600).fill(2);
  const failed = new Array<number>(600).fill(0);
  for (let b = 301; b < 310; b++) [ok[b], failed[b]] = [0, 2];
  const events = [
    { atMs: 1500, kind: 'drill.node', message: 'long before' },
    { atMs: 3002, kind: 'zone.lost', message: 'zone-a lost' },
    { atMs: 3050, kind: 'replica.exited', message: 'killed' },
  ] as const;
  const d = computeDowntime({ ok, failed, failuresByBin: {}, events: [...events] });
  assert.equal(d.windows.length, 1);
  assert.deepEqual(
    d.windows[0]!.before!.map((e) => e.kind),
    ['zone.lost'],
  );
  assert.deepEqual(
    d.windows[0]!.events.map((e) => e.kind),
    ['replica.exited'],
  );
});

test('on a TTY each event is printed above the live line, which is drawn again beneath it', () => {
  let out = '';
  const terminal = createTerminalReporter({
    stream: { write: (s: string) => ((out += s), true), isTTY: true, columns: 120 } as unknown as NodeJS.WritableStream,
    live: true,
    color: false,
  });
  const d = drill('app-update');
  const info = { name: d.name, kind: d.kind, load: d.load };
  terminal.onSecond?.(info, { second: 2, phase: 'baseline', rps: 200, ok: 200, failed: 0, dropped: 0, p95Ms: 2, p99Ms: 3, inFlight: 1 });
  terminal.onEvent?.(info, { atMs: 3000, kind: 'rollout.started', message: 'revision 2' });
  const lines = out.split('\r\x1b[2K');
  assert.match(lines[1]!, /^ +3s baseline │ 200 req\/s/);
  assert.match(lines[2]!, /^ +3s rollout\.started revision 2\n +3s baseline │ 200 req\/s {2}p95/, 'the event, then the live line again');
});
