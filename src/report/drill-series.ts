/**
 * What the report's charts plot for one drill, from its timeline lines: throughput and latency per second
 * (ok and failed apart), and a downtime strip of 100 ms slots from the 10 ms bins.
 */
import { addEncoded, createMergeHistogram, latencyStatsMs } from '../model/histogram.js';
import type { DrillSeries } from '../model/report-data.js';
import { BIN_MS } from '../model/recording.js';
import { forEachBin, type TimelineLine } from '../model/timeline.js';

const STRIP_SLOT_MS = 100;
/** The strip's slots at most (an hour of 100 ms slots): a longer drill gets longer slots, never a longer array. */
const MAX_STRIP_SLOTS = 36_000;

/** What the charts read of a timeline line (older results lack the newer fields). */
export type TimelineSecond = Omit<TimelineLine, 'drill'>;
/** A last second shorter than this is plotted with the one before it: 3 requests in 5 ms are not 600 req/s. */
const MIN_PARTIAL_SECOND_MS = 250;

interface Span {
  from: number;
  to: number;
  lines: TimelineSecond[];
}

/**
 * `durationMs` is how long the load ran: the second it ends in is plotted over its own length, and the
 * seconds after it (responses still coming back) are folded into it, so no chart ends in a cliff.
 */
export function drillSeries(lines: readonly TimelineSecond[], durationMs: number): DrillSeries {
  const endS = durationMs > 0 ? durationMs / 1000 : Infinity;
  const spans: Span[] = [];
  for (const line of [...lines].sort((a, b) => a.second - b.second)) {
    const last = spans[spans.length - 1];
    if (line.second >= endS && last) {
      last.lines.push(line);
      continue;
    }
    spans.push({ from: line.second, to: Math.min(line.second + 1, endS), lines: [line] });
  }
  const tail = spans[spans.length - 1];
  const before = spans[spans.length - 2];
  if (tail && before && (tail.to - tail.from) * 1000 < MIN_PARTIAL_SECOND_MS && before.to === tail.from) {
    before.to = tail.to;
    before.lines.push(...tail.lines);
    spans.pop();
  }

  const s: DrillSeries = {
    t: [],
    span: [],
    ok: [],
    failed: [],
    okP50: [],
    okP95: [],
    okP99: [],
    failedP50: [],
    failedP99: [],
    strip: stripOf(lines, durationMs),
  };
  for (const sp of spans) {
    const width = sp.to - sp.from;
    const ok = sp.lines.reduce((a, l) => a + l.requests.ok, 0);
    const failed = sp.lines.reduce((a, l) => a + l.requests.failed, 0);
    s.t.push(round(sp.from + width / 2, 3));
    s.span.push(round(width, 3));
    s.ok.push(round(ok / width, 1));
    s.failed.push(round(failed / width, 1));
    const { okStats, failedStats } = splitLatency(sp.lines);
    s.okP50.push(okStats?.p50 ?? null);
    s.okP95.push(okStats?.p95 ?? null);
    s.okP99.push(okStats?.p99 ?? null);
    s.failedP50.push(failedStats?.p50 ?? null);
    s.failedP99.push(failedStats?.p99 ?? null);
  }
  return s;
}

/** ok latency = all − failed, bucket by bucket (exact: the failed ones are a subset recorded alike). */
function splitLatency(lines: readonly TimelineSecond[]) {
  const ok = lines.reduce((a, l) => a + l.requests.ok, 0);
  const failed = lines.reduce((a, l) => a + l.requests.failed, 0);
  if (!lines.every((l) => l.latency !== undefined && (l.requests.failed === 0 || l.failedLatency))) {
    // Results of an earlier golive: one histogram for all; shown as ok latency when nothing failed.
    const only = lines.length === 1 ? lines[0]! : undefined;
    return { okStats: only && failed === 0 && ok > 0 ? only.latencyMs : undefined, failedStats: undefined };
  }
  const all = createMergeHistogram();
  const failedH = createMergeHistogram();
  for (const l of lines) {
    if (l.latency) addEncoded(all, l.latency);
    if (l.failedLatency) addEncoded(failedH, l.failedLatency);
  }
  const failedStats = failed > 0 ? latencyStatsMs(failedH) : undefined;
  if (failed > 0) all.subtract(failedH);
  const okStats = ok > 0 && all.totalCount > 0 ? latencyStatsMs(all) : undefined;
  return { okStats, failedStats };
}

/** Built from the bins that are there: the drill's length only stretches it, and coarser slots bound its size. */
function stripOf(lines: readonly TimelineSecond[], durationMs: number): DrillSeries['strip'] {
  let lastBin = -1;
  for (const l of lines) forEachBin(l, (bin) => (lastBin = Math.max(lastBin, bin)));
  const spanMs = Math.max(Number.isFinite(durationMs) ? durationMs : 0, (lastBin + 1) * BIN_MS);
  const slotMs = STRIP_SLOT_MS * Math.max(1, Math.ceil(spanMs / STRIP_SLOT_MS / MAX_STRIP_SLOTS));
  const binsPerSlot = slotMs / BIN_MS;
  const slots = Math.max(0, Math.ceil(spanMs / slotMs));
  const ok = new Array<number>(slots).fill(0);
  const failed = new Array<number>(slots).fill(0);
  for (const l of lines) {
    forEachBin(l, (bin, o, f) => {
      const slot = Math.floor(bin / binsPerSlot);
      ok[slot]! += o;
      failed[slot]! += f;
    });
  }
  return { slotMs, ok, failed };
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
