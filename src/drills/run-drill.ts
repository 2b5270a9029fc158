/** Runs one drill: continuous load, the drill's actions on the same clock, then the analysis. */
import { analyzeDrill, type PhaseSpan } from '../analysis/analyze-drill.js';
import { epochNow, startLoadEngine } from '../engine/engine.js';
import { latencyStatsMs } from '../model/histogram.js';
import type { DrillResult, LoadDescription, TimelineEvent } from '../model/result.js';
import { requestCounts } from '../analysis/stats.js';
import type { DrillInfo, Reporter } from '../report/reporter.js';
import type { ResultsFolder } from '../results/results-folder.js';
import type { DrillContext, DrillSpec, PerformResult } from './drill.js';
import type { EventSink, HookRunner, Platform } from '../platforms/platform.js';
import { TeardownStack } from '../safety/teardown-stack.js';
import type { LoadPlan } from '../engine/plan.js';
import type { WorkerFleet } from '../engine/worker-channel.js';
import { GoliveError } from '../errors.js';

type Hooks = Required<Pick<Reporter, 'onDrillStart' | 'onSecond' | 'onEvent' | 'onDrillEnd'>>;

export interface DrillEnvironment {
  platform: Platform | undefined;
  /** Routes platform and hook events to the running drill's timeline. */
  setEventSink: (sink: EventSink) => void;
  hookRunner: HookRunner;
  targetUrl: string;
  /** Told about teardowns that failed: what was left behind and how to undo it. */
  onTeardownFailure: (message: string) => void;
  /** Worker pods for `load.workers.kind: 'kubernetes'` (the kubernetes platform brings them). */
  fleetFor?: (plan: LoadPlan, count: number) => WorkerFleet;
}

export async function runDrill(spec: DrillSpec, hooks: Hooks, folder: ResultsFolder, signal: AbortSignal, env: DrillEnvironment): Promise<DrillResult> {
  const load = describeLoad(spec);
  const info: DrillInfo = { name: spec.name, kind: spec.kind, load };
  await hooks.onDrillStart(info);
  const startedAt = new Date().toISOString();
  const events: TimelineEvent[] = [];
  const phases: PhaseSpan[] = [];
  let zero = 0;
  const now = (): number => (zero ? epochNow() - zero : 0);
  const teardowns = new TeardownStack();

  const engine = startLoadEngine({
    plan: spec.plan,
    workers: spec.workers.count,
    ...(spec.workers.kind === 'kubernetes'
      ? { fleet: env.fleetFor?.(spec.plan, spec.workers.count) ?? missingFleet() }
      : { kind: spec.workers.kind }),
    onSecond: (s) => {
      folder.appendSecond(spec.name, s);
      const r = requestCounts(s.outcomes);
      const l = latencyStatsMs(s.latencyHistogram);
      hooks.onSecond(info, {
        second: s.second,
        phase: phases[phases.length - 1]?.name ?? '',
        rps: r.total,
        ok: r.ok,
        failed: r.failed,
        dropped: r.dropped,
        p95Ms: l.p95,
        p99Ms: l.p99,
        inFlight: s.inFlight,
      });
    },
  });
  const stopLoad = (): void => engine.stop();
  signal.addEventListener('abort', stopLoad, { once: true });

  let performed: PerformResult = {};
  let error: string | undefined;
  let recording;
  try {
    zero = await engine.started;
    // Time zero is a moment after the workers were told to start: the drill begins with the load.
    await new Promise((r) => setTimeout(r, Math.max(0, zero - epochNow())));
    if (spec.perform) {
      const event = (kind: string, message: string, subject?: string): void => {
        const e: TimelineEvent = { atMs: round(now()), kind, message, ...(subject !== undefined ? { subject } : {}) };
        events.push(e);
        folder.appendEvent(spec.name, e);
        hooks.onEvent(info, e);
      };
      env.setEventSink(event);
      const ctx: DrillContext = {
        now,
        zeroEpochMs: zero,
        signal,
        platform: env.platform,
        hooks: env.hookRunner,
        targetUrl: env.targetUrl,
        onTeardown: (what, manual, run) => { teardowns.push({ what, manual, run }); },
        event,
        phase(name) {
          const at = Math.max(0, round(now()));
          const current = phases[phases.length - 1];
          if (current) current.endMs = at;
          phases.push({ name, startMs: at, endMs: at });
        },
        sleep: (ms) => sleep(ms, signal),
      };
      try {
        performed = await spec.perform(ctx);
      } catch (err) {
        error = signal.aborted ? 'interrupted' : (err as Error).message;
        event('drill.error', error);
      }
      for (const failure of await teardowns.unwind()) {
        event('teardown.failed', failure);
        env.onTeardownFailure(failure);
      }
      env.setEventSink(() => undefined);
      engine.stop();
    } else {
      phases.push({ name: 'load', startMs: 0, endMs: spec.plan.durationMs ?? 0 });
    }
    recording = await engine.finished;
  } finally {
    // Ctrl-C stops the load until it has really finished, not just started.
    signal.removeEventListener('abort', stopLoad);
  }
  const last = phases[phases.length - 1];
  if (last && (spec.perform || signal.aborted)) last.endMs = round(recording.durationMs);
  if (signal.aborted && error === undefined) error = 'interrupted';

  const result = analyzeDrill({
    name: spec.name,
    kind: spec.kind,
    startedAt,
    load: { ...load, durationMs: round(recording.durationMs) },
    recording,
    events,
    phases,
    objectives: spec.objectives,
    thresholds: spec.thresholds,
    ...(performed.recovery ? { recovery: performed.recovery } : {}),
    ...(performed.setupMs !== undefined ? { setupMs: performed.setupMs } : {}),
    ...(performed.capacity ? { capacity: performed.capacity } : {}),
    ...(performed.findings ? { findings: performed.findings } : {}),
    ...(error !== undefined ? { error } : {}),
  });
  await hooks.onDrillEnd(info, result);
  return result;
}

/**
 * A dry run of one drill: its steps run with no load and no waiting, against a platform that describes
 * each change instead of making it; the result holds those descriptions as events.
 */
export async function planDrill(spec: DrillSpec, hooks: Hooks, env: DrillEnvironment, signal: AbortSignal): Promise<DrillResult> {
  const load = describeLoad(spec);
  const info: DrillInfo = { name: spec.name, kind: spec.kind, load };
  await hooks.onDrillStart(info);
  const events: TimelineEvent[] = [];
  const event = (kind: string, message: string, subject?: string): void => {
    const e: TimelineEvent = { atMs: 0, kind, message, ...(subject !== undefined ? { subject } : {}) };
    events.push(e);
    hooks.onEvent(info, e);
  };
  env.setEventSink(event);
  const teardowns = new TeardownStack();
  let error: string | undefined;
  if (spec.perform) {
    try {
      await spec.perform({
        now: () => 0, zeroEpochMs: Date.now(), signal, dryRun: true, platform: env.platform, hooks: env.hookRunner, targetUrl: env.targetUrl,
        event, phase: (name) => event('phase', name), sleep: () => Promise.resolve(),
        onTeardown: (what, manual, run) => { teardowns.push({ what, manual, run }); },
      });
    } catch (err) {
      error = (err as Error).message;
    }
  }
  for (const failure of await teardowns.unwind()) event('teardown.failed', failure);
  env.setEventSink(() => undefined);
  const empty = { ok: [], failed: [] };
  const result = analyzeDrill({
    name: spec.name, kind: spec.kind, startedAt: new Date().toISOString(), load, events, phases: [], objectives: {}, thresholds: [],
    recording: { startEpochMs: 0, durationMs: 0, seconds: [], binsOk: empty.ok, binsFailed: empty.failed, failuresByBin: {}, lag: '', retries: 0, workers: { kind: spec.workers.kind, count: 0, startOffsetsMs: [], lost: [] } },
    error: error ?? 'dry run: nothing was changed and no load was sent',
  });
  await hooks.onDrillEnd(info, result);
  return result;
}

function missingFleet(): never {
  throw new GoliveError('GOLIVE_USAGE', "load.workers.kind 'kubernetes' needs a kubernetes platform (platform: { kind: 'kubernetes', … })");
}

function describeLoad(spec: DrillSpec): LoadDescription {
  const { model } = spec.plan;
  const base = { executor: model.executor, durationMs: spec.plan.durationMs ?? 0, connections: spec.plan.connections, threads: spec.workers.kind === 'threads' ? spec.workers.count : 1, workers: spec.workers };
  if (model.kind === 'open') {
    return { model: 'open', targetRps: Math.max(...model.stages.map((s) => s.toRps)), ...base };
  }
  const vus = Math.max(...model.stages.map((s) => s.toVus));
  return { model: 'closed', vus, ...base, connections: vus };
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) { reject(new Error('interrupted')); return; }
    const timer = setTimeout(() => { signal.removeEventListener('abort', onAbort); resolve(); }, ms);
    const onAbort = (): void => { clearTimeout(timer); reject(new Error('interrupted')); };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
