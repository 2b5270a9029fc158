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
  /** Records of the team's load tool that cannot be this run's requests (outside its window, an absurd time): left out, counted. */
  invalidRecords?: { source: string; count: number; example: string };
  /** Per journey of the plan, totals over the run (absent without journeys). */
  journeys?: JourneyRecording[];
  workers: WorkerReport;
}

/** How a journey's journeys ended: the counts every layer (worker, recording, result) carries. */
export interface JourneyEnds {
  started: number;
  completed: number;
  /** A step failed (its status or check, or an extraction found nothing). */
  failed: number;
  /** Still running at the journey's maxDuration: cut, counted as failed. */
  timedOut: number;
  /** Cut by a stop (a drill's end, Ctrl-C): neither completed nor failed. */
  unfinished: number;
}

export interface JourneyRecording extends JourneyEnds {
  name: string;
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
