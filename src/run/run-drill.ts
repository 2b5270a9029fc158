/**
 * Runs one drill: continuous load, the drill's actions on the same clock, then the analysis. A dry run is
 * the same runner over actors that only describe (see DrillActors): no load, no waiting, nothing changed.
 */
import path from 'node:path';
import { sleep } from '../abortable.js';
import { analyzeDrill, type DrillAnalysisInput, type PhaseSpan } from '../analysis/analyze-drill.js';
import { requestCounts } from '../analysis/stats.js';
import type { DrillContext, DrillSpec, PerformResult } from '../drills/drill.js';
import { epochNow, startLoadEngine } from '../engine/engine.js';
import { startExternalEngine } from '../engine/external/external-engine.js';
import type { MergedSecond } from '../engine/snapshot-merger.js';
import { GoliveError, InterruptedError } from '../errors.js';
import type { EventKind, EventSink } from '../model/events.js';
import type { Recording } from '../model/recording.js';
import type { DrillResult, LoadDescription, Placement, TimelineEvent } from '../model/result.js';
import type { HookRunner, PlannedHookRunner, PlannedPlatform, Platform } from '../platforms/platform.js';
import type { DrillInfo, Reporter } from '../report/reporter.js';
import type { ResultsFolder } from '../results/results-folder.js';
import type { TeardownStack } from '../safety/teardown-stack.js';

export type DrillHooks = Required<Pick<Reporter, 'onDrillStart' | 'onSecond' | 'onEvent' | 'onDrillEnd'>>;

/**
 * What the drill acts through. Live: the platform and hooks act, the load runs, time passes. Planned (a dry
 * run): the same drill, run by the same runner, over a platform and a hook runner that can only describe —
 * no load is sent and nothing waits.
 */
export type DrillActors =
  | { plans: false; platform: Platform | undefined; hookRunner: HookRunner }
  | { plans: true; platform: PlannedPlatform | undefined; hookRunner: PlannedHookRunner };

export type DrillEnvironment = DrillActors & DrillServices;

interface DrillServices {
  /** Routes platform and hook events to the running drill's timeline (and back to setup at its end). */
  routeEvents: (sink: EventSink | undefined) => void;
  targetUrl: string;
  /** The run's teardown stack: the drill's teardowns (and the platform's changes during it) are undone at its end. */
  teardowns: TeardownStack;
  /** Told about teardowns that failed: what was left behind and how to undo it. */
  onTeardownFailure: (message: string) => void;
  /** Where the workload ran when the drill began. */
  placement?: Placement | undefined;
  /** Adds to a failed drill the findings that explain it (before any reporter sees the result). */
  explain?: ((result: DrillResult) => void) | undefined;
  /** The platform's live figure for the progress line (observe.prometheus.live), while the drill runs. */
  liveFigure?: (() => string | undefined) | undefined;
  /** Reads the platform's monitoring over the drill's window (epoch ms), once the load is over. */
  observe?: ((window: { startEpochMs: number; endEpochMs: number }, signal: AbortSignal) => Promise<NonNullable<DrillAnalysisInput['observed']>>) | undefined;
}

export async function runDrill(spec: DrillSpec, hooks: DrillHooks, folder: ResultsFolder, signal: AbortSignal, env: DrillEnvironment): Promise<DrillResult> {
  const load = describeLoad(spec);
  const info: DrillInfo = { name: spec.name, kind: spec.kind, load };
  await hooks.onDrillStart(info);
  const startedAt = new Date().toISOString();
  const events: TimelineEvent[] = [];
  const phases: PhaseSpan[] = [];
  let zero = 0;
  const now = (): number => (zero ? epochNow() - zero : 0);
  const mark = env.teardowns.mark();
  let loadEndMs = spec.plan.durationMs ?? undefined;

  const onSecond = (s: MergedSecond): void => {
    folder.appendSecond(spec.name, s);
    // The last second of a load is partial: its rate is over the part that ran; one too short to rate, or
    // one that only saw the last responses come back after the load stopped, is not shown as progress.
    const ranMs = Math.min(1000, (loadEndMs ?? Infinity) - s.second * 1000);
    if (ranMs < MIN_PARTIAL_SECOND_MS) return;
    const r = requestCounts(s.outcomes);
    const l = s.latencyMs;
    const live = env.liveFigure?.();
    hooks.onSecond(info, {
      second: s.second,
      phase: phases[phases.length - 1]?.name ?? '',
      rps: Math.round((r.total * 1000) / ranMs),
      ok: r.ok,
      failed: r.failed,
      dropped: r.dropped,
      p95Ms: l.p95,
      p99Ms: l.p99,
      inFlight: s.inFlight,
      ...(live !== undefined ? { platform: live } : {}),
    });
  };
  const engine = env.plans ? plannedLoad(spec) : startLoad(spec, env.platform, folder, onSecond);
  const clockOffsetMs = engine.clockOffsetMs;
  const stopLoad = (): void => engine.stop();
  signal.addEventListener('abort', stopLoad, { once: true });

  const event = (kind: EventKind, message: string, subject?: string): void => {
    // A timer may wake a fraction of a millisecond before time zero: no event is before the drill began.
    const e: TimelineEvent = { atMs: Math.max(0, round(now())), kind, message, ...(subject !== undefined ? { subject } : {}) };
    events.push(e);
    folder.appendEvent(spec.name, e);
    hooks.onEvent(info, e);
  };
  let performed: PerformResult = {};
  let error: string | undefined;
  let recording;
  try {
    zero = await engine.started;
    // Time zero is a moment after the workers were told to start: the drill begins with the load.
    if (!env.plans) await sleep(Math.max(0, zero - epochNow()));
    env.routeEvents(event);
    if (spec.perform) {
      const ctx: DrillContext = {
        now,
        zeroEpochMs: env.plans ? Date.now() : zero,
        signal,
        platform: env.platform,
        hooks: env.hookRunner,
        targetUrl: env.targetUrl,
        plan: spec.plan,
        ...(env.plans ? { dryRun: true } : {}),
        onTeardown: (what, manual, run) => {
          env.teardowns.push({ what, manual, run });
        },
        event,
        phase(name) {
          const at = Math.max(0, round(now()));
          const current = phases[phases.length - 1];
          if (current) current.endMs = at;
          phases.push({ name, startMs: at, endMs: at });
        },
        // A plan waits for nothing: its steps are described one after the other.
        sleep: env.plans ? () => Promise.resolve() : (ms) => sleep(ms, signal),
      };
      try {
        performed = await spec.perform(ctx);
      } catch (err) {
        error = signal.aborted || err instanceof InterruptedError ? 'interrupted' : (err as Error).message;
        event('drill.error', error);
      }
      await unwindDrill(env, mark, event);
      loadEndMs = now();
      engine.stop();
    } else {
      phases.push({ name: 'load', startMs: 0, endMs: spec.plan.durationMs ?? 0 });
    }
    // Beside a plain load, the platform is watched for as long as the load runs (on time or until Ctrl-C).
    const observer = !env.plans && !spec.perform && spec.observe && env.platform ? spec.observe(env.platform, signal, now) : undefined;
    recording = await engine.finished;
    if (observer) performed = await observer.stop();
    await unwindDrill(env, mark, event);
  } finally {
    // Ctrl-C stops the load until it has really finished, not just started.
    signal.removeEventListener('abort', stopLoad);
    env.routeEvents(undefined);
  }
  const last = phases[phases.length - 1];
  if (last && (spec.perform || signal.aborted)) last.endMs = round(recording.durationMs);
  if (signal.aborted && error === undefined) error = 'interrupted';
  const observed =
    env.observe && !env.plans
      ? await env.observe({ startEpochMs: recording.startEpochMs, endEpochMs: recording.startEpochMs + recording.durationMs }, signal)
      : undefined;
  // A plan is judged as a drill that did not run: every objective is listed with its limit, none is judged.
  const judged = env.plans ? (error ?? NOT_RUN) : error;

  const result = analyzeDrill({
    name: spec.name,
    kind: spec.kind,
    startedAt,
    load: {
      ...load,
      durationMs: round(recording.durationMs),
      ...(load.generator && clockOffsetMs !== undefined
        ? { generator: { ...load.generator, zeroEpochMs: round(recording.startEpochMs + clockOffsetMs), clockOffsetMs: round(clockOffsetMs) } }
        : {}),
    },
    recording,
    events,
    phases,
    objectives: spec.objectives,
    defaultObjectives: spec.defaultObjectives,
    thresholds: spec.thresholds,
    ...(performed.recovery ? { recovery: performed.recovery } : {}),
    ...(performed.setupMs !== undefined ? { setupMs: performed.setupMs } : {}),
    ...(performed.setupFailure !== undefined ? { setupFailure: performed.setupFailure } : {}),
    ...(performed.details ? { details: performed.details } : {}),
    ...(performed.findings ? { findings: performed.findings } : {}),
    ...(judged !== undefined ? { error: judged } : {}),
    ...(observed ? { observed } : {}),
  });
  if (env.plans) {
    result.planned = true;
    if (error === undefined) delete result.error;
  }
  if (env.placement) result.placement = env.placement;
  if (!result.passed && !env.plans) env.explain?.(result);
  await hooks.onDrillEnd(info, result);
  return result;
}

/** Undoes what the drill registered, newest first; each failure is on the timeline and told to the user. */
async function unwindDrill(env: DrillEnvironment, mark: number, event: (kind: EventKind, message: string) => void): Promise<void> {
  for (const failure of await env.teardowns.unwind(mark)) {
    event('teardown.failed', failure);
    env.onTeardownFailure(failure);
  }
}

const NOT_RUN = 'dry run: nothing was changed and no load was sent';

/** The load a drill runs: the team's own tool (Locust, k6) when the config names one, golive's workers otherwise. */
function startLoad(spec: DrillSpec, platform: Platform | undefined, folder: ResultsFolder, onSecond: (s: MergedSecond) => void): DrillLoad {
  const { external } = spec.plan;
  if (external) return startExternalEngine({ plan: { ...spec.plan, external }, dir: path.join(folder.dir, `generator-${spec.name}`), now: epochNow, onSecond });
  return startLoadEngine({
    plan: spec.plan,
    workers: spec.workers.count,
    ...(spec.workers.kind === 'kubernetes' ? { fleet: fleetOf(platform, spec) } : { kind: spec.workers.kind }),
    onSecond,
  });
}

interface DrillLoad {
  readonly started: Promise<number>;
  readonly finished: Promise<Recording>;
  stop(): void;
  /** The team's tool's clock against golive's (external generators). */
  readonly clockOffsetMs?: number | undefined;
}

/** A plan's load: none. It "starts" at once, at time zero 0, and ends with nothing recorded. */
function plannedLoad(spec: DrillSpec): DrillLoad {
  const empty: Recording = {
    startEpochMs: 0,
    durationMs: 0,
    seconds: [],
    binsOk: [],
    binsFailed: [],
    failuresByBin: {},
    lag: '',
    retries: 0,
    workers: { kind: spec.workers.kind, count: 0, startOffsetsMs: [], lost: [] },
  };
  return { started: Promise.resolve(0), finished: Promise.resolve(empty), stop: () => undefined };
}

function fleetOf(platform: Platform | undefined, spec: DrillSpec) {
  if (!platform?.workerFleet)
    throw new GoliveError('GOLIVE_USAGE', "load.workers.kind 'kubernetes' needs a kubernetes platform (platform: { kind: 'kubernetes', … })");
  return platform.workerFleet(spec.plan, spec.workers.count);
}

const CLOSED_TOOL_NOTE =
  'a closed model: each user waits for its answer before the next request, so latency hides coordinated omission and the request count falls during an outage (see requests per second)';

function describeLoad(spec: DrillSpec): LoadDescription {
  const { model, external } = spec.plan;
  if (external) {
    const users = external.kind === 'locust' ? external.users : 0;
    return {
      model: 'closed',
      executor: external.kind === 'locust' ? `Locust, ${users} users` : 'k6, as the script defines',
      vus: users,
      durationMs: spec.plan.durationMs ?? 0,
      connections: users,
      threads: 1,
      workers: { kind: 'processes', count: 1 },
      generator: {
        kind: external.kind,
        note:
          external.kind === 'locust'
            ? CLOSED_TOOL_NOTE
            : `${CLOSED_TOOL_NOTE.replace('a closed model', 'closed unless the script uses an arrival-rate executor')}`,
      },
    };
  }
  const base = {
    executor: model.executor,
    durationMs: spec.plan.durationMs ?? 0,
    connections: spec.plan.connections,
    threads: spec.workers.kind === 'threads' ? spec.workers.count : 1,
    workers: spec.workers,
    ...(spec.plan.journeys ? { journeys: spec.plan.journeys.map((j) => j.name) } : {}),
  };
  if (model.kind === 'open') {
    return { model: 'open', targetRps: Math.max(...model.stages.map((s) => s.toRps)), ...base };
  }
  const vus = Math.max(...model.stages.map((s) => s.toVus));
  return { model: 'closed', vus, ...base, connections: vus };
}

/** A last second shorter than this is not rated: 3 requests in 5 ms are not 600 req/s. */
const MIN_PARTIAL_SECOND_MS = 250;

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
