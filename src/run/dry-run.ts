/**
 * A dry run of one drill: its steps run with no load and no waiting, against a platform that describes
 * each change instead of making it; the result holds those descriptions as events.
 */
import { analyzeDrill } from '../analysis/analyze-drill.js';
import type { DrillSpec } from '../drills/drill.js';
import type { EventKind } from '../model/events.js';
import type { DrillResult, TimelineEvent } from '../model/result.js';
import type { PlannedHookRunner, PlannedPlatform } from '../platforms/platform.js';
import { describeLoad, type DrillEnvironment, type DrillHooks } from './run-drill.js';

/** What a dry run acts through: a platform and a hook runner that can only describe. */
export interface PlanEnvironment extends Omit<DrillEnvironment, 'platform' | 'hookRunner'> {
  platform: PlannedPlatform | undefined;
  hookRunner: PlannedHookRunner;
}

const NOT_RUN = 'dry run: nothing was changed and no load was sent';

export async function planDrill(spec: DrillSpec, hooks: DrillHooks, env: PlanEnvironment, signal: AbortSignal): Promise<DrillResult> {
  const load = describeLoad(spec);
  const info = { name: spec.name, kind: spec.kind, load };
  await hooks.onDrillStart(info);
  const events: TimelineEvent[] = [];
  const event = (kind: EventKind, message: string, subject?: string): void => {
    const e: TimelineEvent = { atMs: 0, kind, message, ...(subject !== undefined ? { subject } : {}) };
    events.push(e);
    hooks.onEvent(info, e);
  };
  env.routeEvents(event);
  const mark = env.teardowns.mark();
  let error: string | undefined;
  if (spec.perform) {
    try {
      await spec.perform({
        now: () => 0,
        zeroEpochMs: Date.now(),
        signal,
        dryRun: true,
        platform: env.platform,
        hooks: env.hookRunner,
        targetUrl: env.targetUrl,
        plan: spec.plan,
        event,
        phase: (name) => event('phase', name),
        sleep: () => Promise.resolve(),
        onTeardown: (what, manual, run) => {
          env.teardowns.push({ what, manual, run });
        },
      });
    } catch (err) {
      error = (err as Error).message;
    }
  }
  for (const failure of await env.teardowns.unwind(mark)) event('teardown.failed', failure);
  env.routeEvents(undefined);
  const empty = { ok: [], failed: [] };
  const result = analyzeDrill({
    name: spec.name,
    kind: spec.kind,
    startedAt: new Date().toISOString(),
    load,
    events,
    phases: [],
    objectives: spec.objectives,
    defaultObjectives: spec.defaultObjectives,
    thresholds: spec.thresholds,
    recording: {
      startEpochMs: 0,
      durationMs: 0,
      seconds: [],
      binsOk: empty.ok,
      binsFailed: empty.failed,
      failuresByBin: {},
      lag: '',
      retries: 0,
      workers: { kind: spec.workers.kind, count: 0, startOffsetsMs: [], lost: [] },
    },
    // Judged as a drill that did not run: every objective is listed with its limit, none is judged.
    error: error ?? NOT_RUN,
  });
  result.planned = true;
  if (error === undefined) delete result.error;
  await hooks.onDrillEnd(info, result);
  return result;
}
