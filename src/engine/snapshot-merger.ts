/**
 * Merges the workers' per-second snapshots exactly: histograms add bucket by bucket, counts add up.
 * A second is complete once every worker has reported it (or finished), and seconds come out in order.
 */
import { concatEncoded, Histogram } from '../model/histogram.js';
import type { LatencyStats } from '../model/result.js';
import { addCounts, type OutcomeCounts } from '../model/outcome.js';
import type { SecondRecord } from '../model/recording.js';
import type { JourneySnapshot, SnapshotPayload } from './protocol.js';

export interface MergedSecond extends SecondRecord {
  /** This second's latency figures (from the merged histogram). */
  latencyMs: LatencyStats;
  /** Latency of the failed requests alone (they are in `latency` too). */
  failedLatency: string;
  /** Flat [bin, ok, failed] triples added in this second. */
  bins: number[];
  /** Failures by outcome class, flat [bin, count] pairs added in this second. */
  failures: Record<string, number[]>;
  lag: string;
  retries: number;
  /** Starts the workers sent in this second, and the latest send so far (ms from zero). */
  sent: number;
  lastSentMs: number;
  /** Each worker's journey figures reported in this second (summed by the recording). */
  journeys: JourneySnapshot[][];
}

/** The workers' encoded histograms of one second, merged when the second is complete. */
interface Partial {
  latency: string[];
  service: string[];
  failedLatency: string[];
  lag: string[];
  outcomes: OutcomeCounts;
  bins: number[];
  failures: Record<string, number[]>;
  inFlight: number;
  retries: number;
  sent: number;
  lastSentMs: number;
  journeys: JourneySnapshot[][];
}

export class SnapshotMerger {
  private readonly lastSecond: number[];
  private readonly pending = new Map<number, Partial>();
  private nextToEmit = 0;
  private readonly scratch = new Histogram();

  constructor(
    workerCount: number,
    private readonly emit: (second: MergedSecond) => void,
  ) {
    this.lastSecond = new Array<number>(workerCount).fill(-1);
  }

  add(s: SnapshotPayload): void {
    const p = this.partial(s.second);
    if (s.latency) p.latency.push(s.latency);
    if (s.service) p.service.push(s.service);
    if (s.failedLatency) p.failedLatency.push(s.failedLatency);
    if (s.lag) p.lag.push(s.lag);
    addCounts(p.outcomes, s.outcomes);
    for (const v of s.bins) p.bins.push(v);
    for (const outcome in s.failures) {
      const into = (p.failures[outcome] ??= []);
      for (const v of s.failures[outcome]!) into.push(v);
    }
    p.inFlight += s.inFlight;
    p.retries += s.retries;
    p.sent += s.sent ?? 0;
    p.lastSentMs = Math.max(p.lastSentMs, s.lastSentMs ?? 0);
    if (s.journeys) p.journeys.push(s.journeys);
    this.lastSecond[s.worker] = s.final ? Infinity : s.second;
    this.emitComplete();
  }

  /** A worker that will send nothing more (finished, or lost: its remaining seconds are reported as they are). */
  close(worker: number): void {
    this.lastSecond[worker] = Infinity;
    this.emitComplete();
  }

  private partial(second: number): Partial {
    let p = this.pending.get(second);
    if (!p) {
      p = {
        latency: [],
        service: [],
        failedLatency: [],
        lag: [],
        outcomes: {},
        bins: [],
        failures: {},
        inFlight: 0,
        retries: 0,
        sent: 0,
        lastSentMs: 0,
        journeys: [],
      };
      this.pending.set(second, p);
    }
    return p;
  }

  private emitComplete(): void {
    const complete = Math.min(...this.lastSecond);
    const last = complete === Infinity ? Math.max(-1, ...this.pending.keys()) : complete;
    while (this.nextToEmit <= last) {
      const second = this.nextToEmit++;
      const p = this.pending.get(second) ?? this.partial(second);
      this.pending.delete(second);
      // Merged as text: the coordinator shares a core with the load when golive is pinned to one.
      const latency = concatEncoded(p.latency);
      this.scratch.reset();
      if (latency) this.scratch.addEncoded(latency);
      this.emit({
        second,
        latency,
        service: concatEncoded(p.service),
        failedLatency: concatEncoded(p.failedLatency),
        lag: concatEncoded(p.lag),
        outcomes: p.outcomes,
        bins: p.bins,
        failures: p.failures,
        inFlight: p.inFlight,
        retries: p.retries,
        sent: p.sent,
        lastSentMs: p.lastSentMs,
        journeys: p.journeys,
        latencyMs: this.scratch.stats(),
      });
    }
    if (complete === Infinity) this.pending.clear();
  }
}
