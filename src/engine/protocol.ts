/**
 * Every message between the coordinator and a load worker. Plain data only, so the same messages travel
 * between threads (postMessage) and, for scale-out, between processes and pods (NDJSON lines).
 */
import type { OutcomeCounts } from '../model/outcome.js';
import type { JourneyEnds } from '../model/recording.js';
import type { LoadPlan } from './plan.js';

export interface WorkerInitPayload {
  plan: LoadPlan;
  /** This worker's segment: schedule indexes j with j % count === index. */
  index: number;
  count: number;
}

export interface SnapshotPayload {
  worker: number;
  second: number;
  latency: string;
  service: string;
  /** Latency of the failed requests only (also counted in `latency`); absent from older workers. */
  failedLatency?: string;
  lag: string;
  outcomes: OutcomeCounts;
  /** Flat triples [bin, ok, failed]: 10 ms bins by intended start, added since the last snapshot. */
  bins: number[];
  /** Failures by outcome class as flat pairs [bin, count]: which errors each 10 ms bin saw. */
  failures: Record<string, number[]>;
  inFlight: number;
  retries: number;
  /** The worker's last snapshot. */
  final: boolean;
  /** Starts sent since the previous snapshot (by when they were sent), and when the last one went (ms from zero). */
  sent?: number;
  lastSentMs?: number;
  /** Per journey of the plan (in its order), when the plan has journeys. */
  journeys?: JourneySnapshot[];
}

/** One journey's figures since the last snapshot: how its journeys ended, their length, each step's latency and outcomes. */
export interface JourneySnapshot extends JourneyEnds {
  /** Length of the completed journeys, from the first step's intended start to the last response (µs, encoded). */
  duration: string;
  steps: { latency: string; outcomes: OutcomeCounts }[];
}

export interface ErrorPayload {
  message: string;
  code?: string;
  stack?: string;
}

export type ToWorkerMessage = { type: 'init'; init: WorkerInitPayload } | { type: 'start'; startAtEpochMs: number } | { type: 'stop' };

export type FromWorkerMessage =
  | { type: 'ready' }
  /** Sent when the worker begins its schedule: how late it began against the shared time zero (clock skew + wake-up). */
  | { type: 'started'; offsetMs: number }
  | { type: 'snapshot'; snapshot: SnapshotPayload }
  | { type: 'done'; durationMs: number }
  | { type: 'error'; error: ErrorPayload };

export function errorPayload(error: unknown): ErrorPayload {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { message: error.message, ...(typeof code === 'string' ? { code } : {}), ...(error.stack ? { stack: error.stack } : {}) };
  }
  return { message: String(error) };
}
