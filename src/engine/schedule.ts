/**
 * The open-model arrival schedule shared by every worker: request j (0-based, across all workers) starts at
 * `timeOfIndex(j)` ms after the run's start, where the integral of the rate reaches j. Worker i of n takes
 * j = i, i + n, i + 2n, …, so the merged arrivals are exactly the single-generator schedule: no bursts at
 * segment boundaries and no drift between workers.
 */
export interface RateStage {
  durationMs: number;
  /** Requests per second at the start of the stage. */
  fromRps: number;
  /** Requests per second at the end (linear ramp in between). */
  toRps: number;
}

export interface ArrivalSchedule {
  /** Total starts in the whole schedule; Infinity when it holds its last rate until stopped. */
  readonly total: number;
  timeOfIndex(j: number): number;
  /** Requests per second asked for at time t. */
  rateAt(tMs: number): number;
}

interface Segment extends RateStage {
  startMs: number;
  /** Starts before this segment: the integral of the rate up to startMs. */
  startCount: number;
}

export function createArrivalSchedule(stages: RateStage[], options: { holdLast: boolean }): ArrivalSchedule {
  return new Schedule(stages, options.holdLast);
}

/** A class rather than closures: every schedule of a thread (its rehearsal's, its run's) shares optimized code. */
class Schedule implements ArrivalSchedule {
  private readonly segments: Segment[] = [];
  private readonly holdRps: number;
  private readonly endMs: number;
  private readonly endCount: number;
  readonly total: number;

  constructor(stages: RateStage[], holdLast: boolean) {
    let startMs = 0;
    let startCount = 0;
    for (const s of stages) {
      this.segments.push({ ...s, startMs, startCount });
      startMs += s.durationMs;
      startCount += ((s.fromRps + s.toRps) / 2) * (s.durationMs / 1000);
    }
    const last = stages[stages.length - 1];
    this.holdRps = holdLast && last ? last.toRps : 0;
    this.endMs = startMs;
    this.endCount = startCount;
    // A tiny epsilon keeps float noise (e.g. 2000 rps × 5 s = 9999.999…) from adding or losing a start.
    this.total = this.holdRps > 0 ? Infinity : Math.ceil(startCount - 1e-6);
  }

  timeOfIndex(j: number): number {
    const segments = this.segments;
    for (let k = segments.length - 1; k >= 0; k--) {
      const seg = segments[k]!;
      if (j < seg.startCount) continue;
      const n = j - seg.startCount;
      const a = seg.fromRps / 1000; // per ms
      const b = seg.toRps / 1000;
      const d = seg.durationMs;
      if (a === b) {
        if (a === 0) continue;
        const tau = n / a;
        if (tau <= d || k === segments.length - 1) return seg.startMs + tau;
        continue;
      }
      // n = a·τ + (b − a)·τ² / (2d): solve for τ.
      const alpha = (b - a) / (2 * d);
      const disc = a * a + 4 * alpha * n;
      const tau = disc < 0 ? d : (-a + Math.sqrt(disc)) / (2 * alpha);
      if (tau <= d) return seg.startMs + tau;
      if (k === segments.length - 1) break;
    }
    // Past the last stage: hold its final rate.
    return this.endMs + (j - this.endCount) / (this.holdRps / 1000);
  }

  rateAt(tMs: number): number {
    for (const seg of this.segments) {
      if (tMs < seg.startMs + seg.durationMs) {
        return seg.fromRps + ((seg.toRps - seg.fromRps) * (tMs - seg.startMs)) / seg.durationMs;
      }
    }
    return this.holdRps;
  }
}

export interface VuStage {
  durationMs: number;
  fromVus: number;
  toVus: number;
}

/** Closed model: how many virtual users should be active at time t (linear ramps, rounded). */
export function vusAt(stages: VuStage[], tMs: number): number {
  let start = 0;
  for (const s of stages) {
    if (tMs < start + s.durationMs) return Math.round(s.fromVus + ((s.toVus - s.fromVus) * (tMs - start)) / s.durationMs);
    start += s.durationMs;
  }
  return stages[stages.length - 1]?.toVus ?? 0;
}

/** The share of `total` that worker `index` of `count` carries, spread so shares differ by at most one. */
export function shareOf(total: number, index: number, count: number): number {
  return Math.floor(total / count) + (index < total % count ? 1 : 0);
}
