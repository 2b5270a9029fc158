/**
 * Downtime and degraded time from 10 ms bins of ok/failed counts by intended start, defined so the same
 * outage gives the same answer at any request rate (README "How golive measures"):
 * - a run is a maximal sequence of bins with failures and no success (empty bins inside belong to it):
 *   consecutive failed requests, in the order they were meant to start;
 * - a run is an outage window when it is too long to be chance: at least K failures, K the fewest
 *   consecutive failures that independent failures at the rate seen around the run would produce by
 *   chance in under 1 % of drills of this size. The rate around it is the upper 95 % bound of the failure
 *   share of the 30 requests on either side, whichever side is worse. Clean surroundings: a few failures
 *   in a row are an outage; inside a partial outage failing 2 of 3 requests, only a run far longer than
 *   chance. (At 100 req/s a 10 ms bin holds about one request, so "no success in a bin" alone happens by
 *   chance in any partial outage: it read 2 of 3 failing as 2 s of downtime in 101 windows.)
 * - degraded time is the time outside outage windows in slots with at least one failure; a slot is 100 ms,
 *   or as long as 10 requests take at the drill's rate when that is longer.
 */
import { BIN_MS } from '../model/recording.js';
import type { DowntimeResult, OutageWindow, TimelineEvent } from '../model/result.js';

const MIN_SLOT_MS = 100;
/** Events this long before a window's start are listed as its likely trigger. */
const CAUSE_LOOKBACK_MS = 1000;
const REQUESTS_PER_SLOT = 10;
/** Requests on each side of a run that tell how often requests fail around it. */
const NEIGHBOURS = 30;
/** A run shorter than chance would make in this share of drills is not an outage. */
const FALSE_OUTAGE_CHANCE = 0.01;
const MAX_SHARE = 0.99;

/** Upper 95 % (Wilson) bound of a failure share seen as `failed` of `n`. */
function upperShare(failed: number, n: number): number {
  const z2 = 1.96 * 1.96;
  const p = failed / n;
  return (p + z2 / (2 * n) + Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n)) * 1.96) / (1 + z2 / n);
}

/** The fewest consecutive failures that are an outage among `requests`, when requests around fail at `share`. */
export function minOutageFailures(requests: number, share: number): number {
  const p = Math.min(MAX_SHARE, Math.max(share, 1e-6));
  return Math.max(2, Math.ceil(Math.log(Math.max(1, requests) / FALSE_OUTAGE_CHANCE) / Math.log(1 / p)));
}

export interface DowntimeInput {
  ok: ArrayLike<number>;
  failed: ArrayLike<number>;
  /** Failures per outcome class: bin → count (for each window's outcome classes). */
  failuresByBin?: Record<string, Map<number, number>>;
  events?: readonly TimelineEvent[];
  /** Only bins in [fromMs, toMs) are considered (a phase); default all. */
  fromMs?: number;
  toMs?: number;
}

export function computeDowntime(input: DowntimeInput): DowntimeResult {
  const { ok, failed } = input;
  const first = Math.max(0, Math.floor((input.fromMs ?? 0) / BIN_MS));
  const last = Math.min(ok.length, Math.ceil((input.toMs ?? Infinity) / BIN_MS)); // exclusive
  const windows: { from: number; to: number; failed: number }[] = [];
  let open: { from: number; to: number; failed: number } | undefined;
  for (let b = first; b < last; b++) {
    const o = ok[b] ?? 0;
    const f = failed[b] ?? 0;
    if (f > 0 && o === 0) {
      if (open) {
        open.to = b + 1;
        open.failed += f;
      } else open = { from: b, to: b + 1, failed: f };
    } else if (o > 0 && open) {
      windows.push(open);
      open = undefined;
    }
    // An empty bin neither opens nor closes a window; if no down bin follows, `to` stays at the last down bin.
  }
  if (open) windows.push(open);
  let okTotal = 0;
  let failedTotal = 0;
  for (let b = first; b < last; b++) {
    okTotal += ok[b] ?? 0;
    failedTotal += failed[b] ?? 0;
  }
  const requests = okTotal + failedTotal;
  const outages = windows.filter((w) => {
    if (w.failed < 2) return false; // a lone failure between successes is an error, not downtime
    const share = Math.max(sideShare(ok, failed, w.from - 1, first - 1, -1), sideShare(ok, failed, w.to, last, 1));
    return w.failed >= minOutageFailures(requests, share);
  });

  const inWindow = new Uint8Array(Math.max(0, last - first));
  for (const w of outages) inWindow.fill(1, w.from - first, w.to - first);
  const spanMs = Math.max(BIN_MS, (last - first) * BIN_MS);
  const ratePerMs = (okTotal + failedTotal) / spanMs;
  const binsPerSlot = Math.max(MIN_SLOT_MS, ratePerMs > 0 ? Math.ceil(REQUESTS_PER_SLOT / ratePerMs / BIN_MS) * BIN_MS : 0) / BIN_MS;
  let degradedBins = 0;
  for (let slotStart = first - (first % binsPerSlot); slotStart < last; slotStart += binsPerSlot) {
    const from = Math.max(slotStart, first);
    const to = Math.min(slotStart + binsPerSlot, last);
    let failing = false;
    let outside = 0;
    for (let b = from; b < to; b++) {
      if (inWindow[b - first]) continue;
      outside++;
      if ((failed[b] ?? 0) > 0) failing = true;
    }
    // The slot's time outside outage windows: downtime is never counted as degraded as well.
    if (failing) degradedBins += outside;
  }

  const events = input.events ?? [];
  const result: OutageWindow[] = outages.map((w) => {
    const startMs = w.from * BIN_MS;
    const endMs = w.to * BIN_MS;
    return {
      startMs,
      endMs,
      failed: w.failed,
      outcomes: outcomesIn(input.failuresByBin, w.from, w.to),
      events: events.filter((e) => e.atMs >= startMs && e.atMs < endMs),
      before: events.filter((e) => e.atMs >= startMs - CAUSE_LOOKBACK_MS && e.atMs < startMs),
    };
  });
  const lengths = result.map((w) => w.endMs - w.startMs);
  return {
    totalMs: lengths.reduce((a, b) => a + b, 0),
    longestMs: lengths.length ? Math.max(...lengths) : 0,
    degradedMs: degradedBins * BIN_MS,
    windows: result,
  };
}

/**
 * The worst-case failure share of up to NEIGHBOURS requests next to a run, walking from bin `from` to `stop`
 * (exclusive) in direction `step`; 0 when there are none (the run is the whole drill on that side).
 */
function sideShare(ok: ArrayLike<number>, failed: ArrayLike<number>, from: number, stop: number, step: 1 | -1): number {
  let n = 0;
  let f = 0;
  for (let b = from; b !== stop && n < NEIGHBOURS; b += step) {
    n += (ok[b] ?? 0) + (failed[b] ?? 0);
    f += failed[b] ?? 0;
  }
  return n === 0 ? 0 : upperShare(f, n);
}

function outcomesIn(byBin: Record<string, Map<number, number>> | undefined, from: number, to: number): Record<string, number> {
  const out: Record<string, number> = {};
  if (!byBin) return out;
  for (const [outcome, bins] of Object.entries(byBin)) {
    let n = 0;
    for (const [bin, count] of bins) if (bin >= from && bin < to) n += count;
    if (n > 0) out[outcome] = n;
  }
  return out;
}
