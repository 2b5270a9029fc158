/** Accumulates merged seconds into a Recording for the analysis. */
import { grownToFit } from './grow.js';
import { addEncoded, createMergeHistogram, encodeHistogram } from '../model/histogram.js';
import { addCounts, type OutcomeCounts } from '../model/outcome.js';
import type { Histogram } from '../model/histogram.js';
import type { JourneyEnds, JourneyRecording, Recording, SecondRecord, WorkerReport } from '../model/recording.js';
import type { JourneySpec } from './plan.js';
import type { MergedSecond } from './snapshot-merger.js';

export class RecordingBuilder {
  private readonly seconds: SecondRecord[] = [];
  private ok = new Float64Array(6000);
  private failed = new Float64Array(6000);
  private binCount = 0;
  private readonly lag = createMergeHistogram();
  private retries = 0;
  private sent = 0;
  private lastSentMs = 0;
  private readonly failures: Record<string, Map<number, number>> = {};
  private readonly journeys: JourneyTotals[] | undefined;

  constructor(journeys?: readonly JourneySpec[]) {
    this.journeys = journeys?.map((j) => ({
      name: j.name,
      started: 0,
      completed: 0,
      failed: 0,
      timedOut: 0,
      unfinished: 0,
      duration: createMergeHistogram(),
      steps: j.steps.map((s) => ({ name: s.name, latency: createMergeHistogram(), outcomes: {} })),
    }));
  }

  add(s: MergedSecond): void {
    this.seconds.push({ second: s.second, latency: s.latency, service: s.service, outcomes: s.outcomes, inFlight: s.inFlight });
    for (let i = 0; i < s.bins.length; i += 3) {
      const bin = s.bins[i]!;
      if (bin >= this.ok.length) {
        this.ok = grownToFit(this.ok, bin);
        this.failed = grownToFit(this.failed, bin);
      }
      this.ok[bin]! += s.bins[i + 1]!;
      this.failed[bin]! += s.bins[i + 2]!;
      if (bin + 1 > this.binCount) this.binCount = bin + 1;
    }
    for (const outcome in s.failures) {
      const byBin = (this.failures[outcome] ??= new Map());
      const pairs = s.failures[outcome]!;
      for (let i = 0; i < pairs.length; i += 2) byBin.set(pairs[i]!, (byBin.get(pairs[i]!) ?? 0) + pairs[i + 1]!);
    }
    if (s.lag) addEncoded(this.lag, s.lag);
    this.retries += s.retries;
    this.sent += s.sent;
    this.lastSentMs = Math.max(this.lastSentMs, s.lastSentMs);
    if (this.journeys) for (const fromWorker of s.journeys) this.addJourneys(fromWorker);
  }

  private addJourneys(snapshots: MergedSecond['journeys'][number]): void {
    snapshots.forEach((snap, i) => {
      const into = this.journeys?.[i];
      if (!into) return;
      for (const k of END_KEYS) into[k] += snap[k];
      if (snap.duration) addEncoded(into.duration, snap.duration);
      snap.steps.forEach((step, k) => {
        const s = into.steps[k];
        if (!s) return;
        if (step.latency) addEncoded(s.latency, step.latency);
        addCounts(s.outcomes, step.outcomes);
      });
    });
  }

  build(startEpochMs: number, durationMs: number, workers: WorkerReport): Recording {
    return {
      workers,
      startEpochMs,
      durationMs,
      seconds: this.seconds,
      binsOk: this.ok.subarray(0, this.binCount),
      binsFailed: this.failed.subarray(0, this.binCount),
      failuresByBin: this.failures,
      lag: this.lag.totalCount ? encodeHistogram(this.lag) : '',
      retries: this.retries,
      sent: this.sent,
      lastSentMs: this.lastSentMs,
      ...(this.journeys
        ? {
            journeys: this.journeys.map(
              (j): JourneyRecording => ({
                ...j,
                duration: j.duration.totalCount ? encodeHistogram(j.duration) : '',
                steps: j.steps.map((s) => ({ name: s.name, latency: s.latency.totalCount ? encodeHistogram(s.latency) : '', outcomes: s.outcomes })),
              }),
            ),
          }
        : {}),
    };
  }
}

interface JourneyTotals extends JourneyEnds {
  name: string;
  duration: Histogram;
  steps: { name: string; latency: Histogram; outcomes: OutcomeCounts }[];
}

const END_KEYS = ['started', 'completed', 'failed', 'timedOut', 'unfinished'] as const satisfies readonly (keyof JourneyEnds)[];
