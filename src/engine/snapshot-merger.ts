/**
 * Merges the workers' per-second snapshots exactly: histograms add bucket by bucket, counts add up.
 * A second is complete once every worker has reported it (or finished), and seconds come out in order.
 */
import { addEncoded, createMergeHistogram, encodeHistogram, type Histogram } from '../model/histogram.js';
import { addCounts, type OutcomeCounts } from '../model/outcome.js';
import type { SecondRecord } from '../model/recording.js';
import type { JourneySnapshot, SnapshotPayload } from './protocol.js';

export interface MergedSecond extends SecondRecord {
  /** The merged latency histogram of this second (µs); owned by the receiver until the next second. */
  latencyHistogram: Histogram;
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

interface Partial {
  latency: Histogram;
  service: Histogram;
  failedLatency: Histogram;
  lag: Histogram;
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

  constructor(
    workerCount: number,
    private readonly emit: (second: MergedSecond) => void,
  ) {
    this.lastSecond = new Array<number>(workerCount).fill(-1);
  }

  add(s: SnapshotPayload): void {
    const p = this.partial(s.second);
    if (s.latency) addEncoded(p.latency, s.latency);
    if (s.service) addEncoded(p.service, s.service);
    if (s.failedLatency) addEncoded(p.failedLatency, s.failedLatency);
    if (s.lag) addEncoded(p.lag, s.lag);
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
        latency: createMergeHistogram(),
        service: createMergeHistogram(),
        failedLatency: createMergeHistogram(),
        lag: createMergeHistogram(),
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
      this.emit({
        second,
        latency: p.latency.totalCount ? encodeHistogram(p.latency) : '',
        service: p.service.totalCount ? encodeHistogram(p.service) : '',
        failedLatency: p.failedLatency.totalCount ? encodeHistogram(p.failedLatency) : '',
        lag: p.lag.totalCount ? encodeHistogram(p.lag) : '',
        outcomes: p.outcomes,
        bins: p.bins,
        failures: p.failures,
        inFlight: p.inFlight,
        retries: p.retries,
        sent: p.sent,
        lastSentMs: p.lastSentMs,
        journeys: p.journeys,
        latencyHistogram: p.latency,
      });
      p.service.destroy();
      p.failedLatency.destroy();
      p.lag.destroy();
    }
    if (complete === Infinity) this.pending.clear();
  }
}
