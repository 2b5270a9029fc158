/**
 * The load engine's coordinator: starts the workers (threads, or processes for scale-out), gives each its
 * segment of the schedule and a shared start time, merges their snapshots per second, and returns the
 * recording. It schedules nothing per request itself. A worker that dies is reported and its remaining
 * starts are counted as dropped, never silently lost.
 */
import { performance } from 'node:perf_hooks';
import { GoliveError } from '../errors.js';
import type { LostWorker, Recording } from '../model/recording.js';
import { warmUpHistograms } from '../model/histogram.js';
import type { LoadPlan } from './plan.js';
import { RecordingBuilder } from './recording-builder.js';
import { createArrivalSchedule } from './schedule.js';
import { SnapshotMerger, type MergedSecond } from './snapshot-merger.js';
import { localFleet, type WorkerChannel, type WorkerFleet } from './worker-channel.js';

/** With a start time fixed in advance, a worker not ready this long after it is counted as lost. */
const LATE_START_GRACE_MS = 30_000;

export interface LoadEngineOptions {
  plan: LoadPlan;
  /** How many workers, and where they run (default: threads of this process). */
  workers: number;
  kind?: 'threads' | 'processes';
  /** A fleet of the caller's (worker pods); overrides `kind`. */
  fleet?: WorkerFleet;
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
  const fleet = options.fleet ?? localFleet(options.kind ?? 'threads');
  const kind = fleet.kind;
  const builder = new RecordingBuilder(plan.journeys);
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
  const started = new Promise<number>((resolve, reject) => {
    resolveStarted = resolve;
    rejectStarted = reject;
  });
  let resolveFinished!: (r: Recording) => void;
  let rejectFinished!: (err: Error) => void;
  const finished = new Promise<Recording>((resolve, reject) => {
    resolveFinished = resolve;
    rejectFinished = reject;
  });
  started.catch(() => {
    /* the same failure rejects `finished`, which callers await */
  });

  const readyWorkers = new Set<number>();
  const lostFrom = new Map<number, number>();
  let startedAll = false;

  function fail(err: Error): void {
    if (failed) return;
    failed = true;
    for (const c of channels) c.terminate();
    void fleet.close();
    rejectStarted(err);
    rejectFinished(err);
  }

  let settledAll = false;

  function settle(index: number): void {
    if (finishedWorkers.has(index)) return;
    finishedWorkers.add(index);
    merger.close(index);
    if (finishedWorkers.size === count && !failed && !settledAll) {
      settledAll = true;
      for (const l of lost) if (lostFrom.has(l.index)) l.droppedStarts = startsNotSent(l.index, lostFrom.get(l.index)!);
      const recording = builder.build(zero, durationMs, { kind, count, startOffsetsMs, lost });
      void fleet.close().then((leftovers) => {
        for (const l of leftovers) lost.push({ index: -1, atMs: durationMs, reason: `cleanup: ${l}`, droppedStarts: 0 });
        resolveFinished(recording);
      });
    }
  }

  /** Time zero: fixed by the fleet, or now plus a head start once every worker is ready. */
  function startAll(): void {
    if (startedAll) return;
    startedAll = true;
    zero = fleet.fixedStartAtEpochMs ?? epochNow() + fleet.startDelayMs;
    for (const c of channels) c.post({ type: 'start', startAtEpochMs: zero });
    if (stopped) {
      stoppedAtMs = Math.max(0, epochNow() - zero);
      for (const c of channels) c.post({ type: 'stop' });
    }
    resolveStarted(zero);
  }

  /**
   * Before the start, a lost local worker fails the run (nothing ran yet); a lost pod, or any worker after
   * the start, is reported and the run goes on without it.
   */
  function loseWorker(index: number, reason: string): void {
    if (finishedWorkers.has(index) || failed) return;
    if (!startedAll && fleet.fixedStartAtEpochMs === undefined) {
      fail(new GoliveError('GOLIVE_RUN_FAILED', `load worker ${index} ${reason} before the load started`));
      return;
    }
    if (!startedAll) zero = fleet.fixedStartAtEpochMs!;
    const atMs = Math.max(0, epochNow() - zero);
    // Its starts from the last second it reported: counted when the run's end is known (see settle).
    lost.push({ index, atMs, reason, droppedStarts: 0 });
    lostFrom.set(index, Math.max(0, Math.min(atMs, (lastSecondSeen[index]! + 1) * 1000)));
    settle(index);
  }

  /** The open-model starts of worker `index` from `fromMs` to the end of the run: never sent. */
  function startsNotSent(index: number, fromMs: number): number {
    if (plan.model.kind !== 'open') return 0;
    const schedule = createArrivalSchedule(plan.model.stages, { holdLast: plan.durationMs === null });
    const endMs = stoppedAtMs ?? plan.durationMs ?? durationMs;
    let n = 0;
    for (let j = index; j < schedule.total; j += count) {
      const t = schedule.timeOfIndex(j);
      if (t >= endMs) break;
      if (t >= fromMs) n++;
    }
    return n;
  }

  function wire(channel: WorkerChannel, index: number): void {
    channel.onMessage((m) => {
      switch (m.type) {
        case 'ready':
          if (readyWorkers.has(index)) return;
          readyWorkers.add(index);
          if (++ready === count - lost.length) startAll();
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
      if (!finishedWorkers.has(index)) {
        loseWorker(index, reason ?? 'ended without finishing');
        if (!startedAll && ready === count - lost.length && ready > 0) startAll();
      }
    });
    channel.post({ type: 'init', init: { plan, index, count } });
    if (stopped && fleet.fixedStartAtEpochMs === undefined) channel.post({ type: 'stop' });
  }

  fleet.open(count).then(
    (opened) => {
      channels.push(...opened);
      opened.forEach(wire);
      // While the workers prepare: the per-second merge's code optimized before time zero, not during the load.
      warmUpHistograms();
      // Workers that cannot be told when to start begin at the fixed time; one not ready well after it is lost.
      if (fleet.fixedStartAtEpochMs !== undefined) {
        const lateAt = fleet.fixedStartAtEpochMs + LATE_START_GRACE_MS - epochNow();
        setTimeout(
          () => {
            if (startedAll || failed) return;
            for (let i = 0; i < count; i++)
              if (!readyWorkers.has(i)) loseWorker(i, `was not ready ${LATE_START_GRACE_MS / 1000} s after the shared start time`);
            startAll();
          },
          Math.max(0, lateAt),
        ).unref();
      }
    },
    (err: unknown) =>
      fail(err instanceof GoliveError ? err : new GoliveError('GOLIVE_RUN_FAILED', `could not start the load workers: ${(err as Error).message}`)),
  );

  return {
    started,
    finished,
    stop() {
      if (stopped) return;
      stopped = true;
      if (startedAll) {
        stoppedAtMs = epochNow() - zero;
        for (const c of channels) c.post({ type: 'stop' });
      } else if (fleet.fixedStartAtEpochMs === undefined) {
        // Workers still preparing end their warm-up now (a server that never answers cannot hold it), then start stopped.
        for (const c of channels) c.post({ type: 'stop' });
      }
    },
  };
}
