/**
 * Downtime and degraded time from 10 ms bins of ok/failed counts by intended start (DESIGN.md §3):
 * - a bin with failures and no successes is down;
 * - an outage window is a maximal run of down bins (empty bins between down bins belong to it) holding at
 *   least 2 failed requests: a lone failure between successes is an error, not downtime;
 * - degraded time is the total length of 100 ms slots outside outage windows with at least one failure.
 */
import { BIN_MS } from '../model/recording.js';
import type { DowntimeResult, OutageWindow, TimelineEvent } from '../model/result.js';

const SLOT_MS = 100;
const BINS_PER_SLOT = SLOT_MS / BIN_MS;

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
  const outages = windows.filter((w) => w.failed >= 2);

  const inWindow = new Uint8Array(Math.max(0, last - first));
  for (const w of outages) inWindow.fill(1, w.from - first, w.to - first);
  let degradedSlots = 0;
  for (let slotStart = first - (first % BINS_PER_SLOT); slotStart < last; slotStart += BINS_PER_SLOT) {
    for (let b = Math.max(slotStart, first); b < Math.min(slotStart + BINS_PER_SLOT, last); b++) {
      if ((failed[b] ?? 0) > 0 && !inWindow[b - first]) {
        degradedSlots++;
        break;
      }
    }
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
    };
  });
  const lengths = result.map((w) => w.endMs - w.startMs);
  return {
    totalMs: lengths.reduce((a, b) => a + b, 0),
    longestMs: lengths.length ? Math.max(...lengths) : 0,
    degradedMs: degradedSlots * SLOT_MS,
    windows: result,
  };
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
