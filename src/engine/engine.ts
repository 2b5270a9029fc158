/**
 * The load engine's coordinator: starts the worker threads, gives each its segment of the schedule and a
 * shared start time, merges their snapshots per second, and returns the recording. It schedules nothing
 * per request itself.
 */
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { GoliveError } from '../errors.js';
import type { Recording } from '../model/recording.js';
import type { LoadPlan } from './plan.js';
import type { FromWorkerMessage, ToWorkerMessage } from './protocol.js';
import { RecordingBuilder } from './recording-builder.js';
import { SnapshotMerger, type MergedSecond } from './snapshot-merger.js';

/** Head start between "go" and time zero, so every worker is waiting when the schedule begins. */
const START_DELAY_MS = 50;

export interface LoadEngineOptions {
  plan: LoadPlan;
  threads: number;
  /** Called once per second of load with the merged figures, in order. */
  onSecond?: (second: MergedSecond) => void;
}

export interface LoadEngine {
  /** Resolves with time zero (epoch ms, high resolution) once the workers are connected and started. */
  readonly started: Promise<number>;
  /** Resolves when every worker finished; rejects when one failed. */
  readonly finished: Promise<Recording>;
  /** Ends an open-ended run now (requests in flight still complete). */
  stop(): void;
}

/** Epoch milliseconds from the monotonic clock: comparable across threads of this process. */
export function epochNow(): number {
  return performance.timeOrigin + performance.now();
}

export function startLoadEngine(options: LoadEngineOptions): LoadEngine {
  const { plan, threads } = options;
  const builder = new RecordingBuilder();
  const merger = new SnapshotMerger(threads, (second) => {
    builder.add(second);
    options.onSecond?.(second);
  });
  const workers: Worker[] = [];
  const finishedWorkers = new Set<number>();
  let ready = 0;
  let done = 0;
  let durationMs = 0;
  let zero = 0;
  let stopped = false;
  let failed = false;

  let resolveStarted!: (zero: number) => void;
  let rejectStarted!: (err: Error) => void;
  const started = new Promise<number>((resolve, reject) => { resolveStarted = resolve; rejectStarted = reject; });
  let resolveFinished!: (r: Recording) => void;
  let rejectFinished!: (err: Error) => void;
  const finished = new Promise<Recording>((resolve, reject) => { resolveFinished = resolve; rejectFinished = reject; });
  started.catch(() => { /* the same failure rejects `finished`, which callers await */ });

  const post = (w: Worker, m: ToWorkerMessage): void => w.postMessage(m);

  function fail(err: Error): void {
    if (failed) return;
    failed = true;
    for (const w of workers) void w.terminate();
    rejectStarted(err);
    rejectFinished(err);
  }

  for (let index = 0; index < threads; index++) {
    const worker = new Worker(new URL('./worker/thread-main.js', import.meta.url));
    workers.push(worker);
    worker.on('message', (m: FromWorkerMessage) => {
      switch (m.type) {
        case 'ready':
          if (++ready === threads) {
            zero = epochNow() + START_DELAY_MS;
            for (const w of workers) post(w, { type: 'start', startAtEpochMs: zero });
            if (stopped) for (const w of workers) post(w, { type: 'stop' });
            resolveStarted(zero);
          }
          return;
        case 'snapshot':
          merger.add(m.snapshot);
          return;
        case 'done':
          durationMs = Math.max(durationMs, m.durationMs);
          merger.close(index);
          finishedWorkers.add(index);
          void worker.terminate();
          if (++done === threads && !failed) resolveFinished(builder.build(zero, durationMs));
          return;
        case 'error':
          fail(new GoliveError('GOLIVE_RUN_FAILED', `load worker ${index} failed: ${m.error.message}`));
          return;
      }
    });
    worker.on('error', (err) => fail(new GoliveError('GOLIVE_RUN_FAILED', `load worker ${index} crashed: ${err.message}`, { cause: err })));
    worker.on('exit', (code) => {
      if (!finishedWorkers.has(index)) fail(new GoliveError('GOLIVE_RUN_FAILED', `load worker ${index} exited with code ${code}`));
    });
    post(worker, { type: 'init', init: { plan, index, count: threads } });
  }

  return {
    started,
    finished,
    stop() {
      stopped = true;
      if (ready === threads) for (const w of workers) post(w, { type: 'stop' });
    },
  };
}
