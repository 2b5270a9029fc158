/**
 * What a load run recorded, merged over every worker: the plain data the analysis reads.
 * Times are milliseconds from the run's start on the shared monotonic clock.
 */
import type { OutcomeCounts } from './outcome.js';

export const BIN_MS = 10;

export interface SecondRecord {
  /** Outcomes completed in [second, second + 1) s after the start. */
  second: number;
  /** Latency from the intended start (µs HdrHistogram, compressed base64; '' when empty). */
  latency: string;
  /** Service time from the actual send. */
  service: string;
  outcomes: OutcomeCounts;
  inFlight: number;
}

export interface Recording {
  /** Epoch milliseconds (high resolution) of time zero. */
  startEpochMs: number;
  /** Scheduling ran from 0 to this time. */
  durationMs: number;
  seconds: SecondRecord[];
  /** ok and failed requests per 10 ms bin of intended start time. */
  binsOk: ArrayLike<number>;
  binsFailed: ArrayLike<number>;
  /** Failures per outcome class: bin → count. */
  failuresByBin: Record<string, Map<number, number>>;
  /** How late the generator started requests (µs histogram, encoded). */
  lag: string;
  retries: number;
  /** Starts actually sent, and when the last one went (ms from zero): the achieved rate is from these. */
  sent?: number;
  lastSentMs?: number;
  /** Per journey of the plan, totals over the run (absent without journeys). */
  journeys?: JourneyRecording[];
  workers: WorkerReport;
}

export interface JourneyRecording {
  name: string;
  started: number;
  completed: number;
  failed: number;
  timedOut: number;
  unfinished: number;
  /** Completed journeys' length (µs histogram, encoded). */
  duration: string;
  steps: { name: string; latency: string; outcomes: OutcomeCounts }[];
}

export interface LostWorker {
  index: number;
  /** When the coordinator noticed (ms from zero). */
  atMs: number;
  reason: string;
  /** Its open-model starts from its last reported second to the end: not in the results, counted as dropped. */
  droppedStarts: number;
}

export interface WorkerReport {
  kind: 'threads' | 'processes' | 'kubernetes';
  count: number;
  /** How late each worker began its schedule against time zero (clock skew and wake-up), ms; null if it never said. */
  startOffsetsMs: (number | null)[];
  lost: LostWorker[];
}
