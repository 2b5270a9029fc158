/**
 * The load engine's coordinator: starts the workers (threads, or processes for scale-out), gives each its
 * segment of the schedule and a shared start time, merges their snapshots per second, and returns the
 * recording. It schedules nothing per request itself. A worker that dies is reported and its remaining
 * starts are counted as dropped, never silently lost.
 */
import { performance } from 'node:perf_hooks';
import { GoliveError } from '../errors.js';
import type { LostWorker, Recording } from '../model/recording.js';
import type { LoadPlan } from './plan.js';
import { RecordingBuilder } from './recording-builder.js';
import { createArrivalSchedule } from './schedule.js';
import { SnapshotMerger, type MergedSecond } from './snapshot-merger.js';
import { createWorkerChannel, type WorkerChannel, type WorkerKind } from './worker-channel.js';

/** Head start between "go" and time zero, so every worker is waiting when the schedule begins. */
const START_DELAY_MS = 50;
/** Process workers need longer: each is a fresh Node.js process. */
const PROCESS_START_DELAY_MS = 250;

export interface LoadEngineOptions {
  plan: LoadPlan;
  /** How many workers, and where they run. */
  workers: number;
  kind?: WorkerKind;
  /** Called once per second of load with the merged figures, in order. */
  onSecond?: (second: MergedSecond) => void;
}

export interface LoadEngine {
  /** Resolves with time zero (epoch ms, high resolution) once the workers are connected and started. */
  readonly started: Promise<number>;
  /** Resolves when every worker finished or was lost; rejects when none could start. */
  readonly finished: Promise<Recording>;
  /** Ends an open-ended run now (requests in flight still complete). */
  stop(): void;
}

/** Epoch milliseconds from the monotonic clock: comparable across threads of this process. */
export function epochNow(): number {
  return performance.timeOrigin + performance.now();
}

export function startLoadEngine(options: LoadEngineOptions): LoadEngine {
  const { plan, workers: count } = options;
  const kind = options.kind ?? 'threads';
  const builder = new RecordingBuilder();
  const merger = new SnapshotMerger(count, (second) => {
    builder.add(second);
    options.onSecond?.(second);
  });
  const channels: WorkerChannel[] = [];
  const finishedWorkers = new Set<number>();
  const startOffsetsMs: (number | null)[] = new Array<number | null>(count).fill(null);
  const lastSecondSeen: number[] = new Array<number>(count).fill(-1);
  const lost: LostWorker[] = [];
  let ready = 0;
  let durationMs = 0;
  let zero = 0;
  let stopped = false;
  let stoppedAtMs: number | undefined;
  let failed = false;

  let resolveStarted!: (zero: number) => void;
  let rejectStarted!: (err: Error) => void;
  const started = new Promise<number>((resolve, reject) => { resolveStarted = resolve; rejectStarted = reject; });
  let resolveFinished!: (r: Recording) => void;
  let rejectFinished!: (err: Error) => void;
  const finished = new Promise<Recording>((resolve, reject) => { resolveFinished = resolve; rejectFinished = reject; });
  started.catch(() => { /* the same failure rejects `finished`, which callers await */ });

  function fail(err: Error): void {
    if (failed) return;
    failed = true;
    for (const c of channels) c.terminate();
    rejectStarted(err);
    rejectFinished(err);
  }

  function settle(index: number): void {
    finishedWorkers.add(index);
    merger.close(index);
    if (finishedWorkers.size === count && !failed) {
      resolveFinished(builder.build(zero, durationMs, { kind, count, startOffsetsMs, lost }));
    }
  }

  /** Before the start, a lost worker fails the run; after it, the run goes on without it, and says so. */
  function loseWorker(index: number, reason: string): void {
    if (finishedWorkers.has(index) || failed) return;
    if (ready < count) {
      fail(new GoliveError('GOLIVE_RUN_FAILED', `load worker ${index} ${reason} before the load started`));
      return;
    }
    const atMs = Math.max(0, epochNow() - zero);
    lost.push({ index, atMs, reason, droppedStarts: startsNotSent(index, Math.max(atMs, (lastSecondSeen[index]! + 1) * 1000)) });
    settle(index);
  }

  /** The open-model starts of worker `index` from `fromMs` to the end of the run: never sent. */
  function startsNotSent(index: number, fromMs: number): number {
    if (plan.model.kind !== 'open') return 0;
    const schedule = createArrivalSchedule(plan.model.stages, { holdLast: plan.durationMs === null });
    const endMs = stoppedAtMs ?? plan.durationMs ?? epochNow() - zero;
    let n = 0;
    for (let j = index; j < schedule.total; j += count) {
      const t = schedule.timeOfIndex(j);
      if (t >= endMs) break;
      if (t >= fromMs) n++;
    }
    return n;
  }

  for (let index = 0; index < count; index++) {
    const channel = createWorkerChannel(kind);
    channels.push(channel);
    channel.onMessage((m) => {
      switch (m.type) {
        case 'ready':
          if (++ready === count) {
            zero = epochNow() + (kind === 'processes' ? PROCESS_START_DELAY_MS : START_DELAY_MS);
            for (const c of channels) c.post({ type: 'start', startAtEpochMs: zero });
            if (stopped) for (const c of channels) c.post({ type: 'stop' });
            resolveStarted(zero);
          }
          return;
        case 'started':
          startOffsetsMs[index] = m.offsetMs;
          return;
        case 'snapshot':
          lastSecondSeen[index] = m.snapshot.second;
          merger.add(m.snapshot);
          return;
        case 'done':
          durationMs = Math.max(durationMs, m.durationMs);
          settle(index);
          channel.terminate();
          return;
        case 'error':
          if (ready < count) fail(new GoliveError('GOLIVE_RUN_FAILED', `load worker ${index} failed: ${m.error.message}`));
          else loseWorker(index, `failed: ${m.error.message}`);
          return;
      }
    });
    channel.onExit((reason) => {
      if (!finishedWorkers.has(index)) loseWorker(index, reason ?? 'ended without finishing');
    });
    channel.post({ type: 'init', init: { plan, index, count } });
  }

  return {
    started,
    finished,
    stop() {
      if (stopped) return;
      stopped = true;
      if (ready === count) {
        stoppedAtMs = epochNow() - zero;
        for (const c of channels) c.post({ type: 'stop' });
      }
    },
  };
}
