/**
 * Builds the drills a config asks for, in the configured order, once: before anything starts, so a bad
 * config or a missing consent changes nothing. Each kind brings its builder and declares its needs.
 */
import { availableParallelism } from 'node:os';
import type { LoadedConfig } from '../config/load-config.js';
import { DRILL_KINDS, type CustomDrillConfig, type ResolvedConfig } from '../config/schema.js';
import { DEFAULT_RATE, toLoadPlan } from '../config/to-plan.js';
import { GoliveError } from '../errors.js';
import type { WorkerKind } from '../engine/worker-channel.js';
import type { DrillNeeds, PlatformOperation } from '../platforms/platform.js';
import { appUpdate } from './app-update.js';
import { sampleUsage } from './capacity.js';
import { customDrill } from './custom.js';
import { disasterRecovery } from './disaster-recovery.js';
import type { DrillSpec } from './drill.js';
import { nodeDrain } from './node-drain.js';
import { redeploy } from './redeploy.js';
import { zoneOutage } from './zone-outage.js';

/** Where load goes until the platform says (the local front proxy): the plan is rebased onto the real URL at run time. */
const PLACEHOLDER_TARGET = 'http://127.0.0.1:1';

export interface BuildEnv {
  loaded: LoadedConfig;
  /** Consent from the command line for destructive drills. */
  allowDestroy?: boolean;
}

/**
 * Requests a second one worker thread starts with room to spare (its closed-loop maximum is 60–80k here):
 * an open model asks for a thread per this many, up to the cores. Each thread is a V8 isolate (~25 MB) and
 * shares the machine with the application on the local platform, so a 100 req/s test takes one.
 */
const REQUESTS_PER_THREAD = 10_000;

/** Where the load runs: `load.workers` processes when configured, else `load.threads`, else as many threads as the rate needs. */
export function loadWorkers(config: ResolvedConfig): { kind: WorkerKind; count: number } {
  const w = config.load.workers;
  if (w) return { kind: w.kind, count: w.count }; // processes, or pods of a Job
  const cores = Math.max(1, availableParallelism());
  const peak = peakRequestsPerSecond(config);
  const count = config.load.threads ?? (peak === undefined ? cores : Math.min(cores, Math.max(1, Math.ceil(peak / REQUESTS_PER_THREAD))));
  return { kind: 'threads', count };
}

/** The open model's most requests in a second (a journey's every step counted); undefined for the closed model. */
function peakRequestsPerSecond(config: ResolvedConfig): number | undefined {
  const load = config.load;
  let starts: number;
  if (load.executor === 'constant-arrival-rate') starts = load.rate ?? DEFAULT_RATE;
  else if (load.executor === 'ramping-arrival-rate') starts = Math.max(load.startRate ?? 0, ...(load.stages ?? []).map((s) => s.target));
  else return undefined;
  const steps = Math.max(1, ...(load.journeys ?? []).map((j) => j.steps.length));
  return starts * steps;
}

/** The drills to run: the configured ones in order (or `capacity` when none is), filtered by `only`. */
export function buildDrills(env: BuildEnv, only: readonly string[] = []): DrillSpec[] {
  const { config } = env.loaded;
  const configured = env.loaded.drillOrder.filter((n) =>
    (DRILL_KINDS as readonly string[]).includes(n) ? config.drills[n as keyof typeof config.drills] !== undefined : n in config.drills.custom,
  );
  const names = configured.length > 0 ? configured : ['capacity'];
  for (const wanted of only) {
    if (!names.includes(wanted)) throw new GoliveError('GOLIVE_USAGE', `no drill "${wanted}" in the config; it has: ${names.join(', ')}`);
  }
  const selected = only.length > 0 ? names.filter((n) => only.includes(n)) : names;
  return selected.map((name) => buildDrill(env, name));
}

const needs = (operations: PlatformOperation[], destroysEnvironment = false): DrillNeeds => ({ operations, destroysEnvironment });

function buildDrill(env: BuildEnv, name: string): DrillSpec {
  const { config, baseDir, fileLabel } = env.loaded;
  const d = config.drills;
  const target = { targetUrl: config.target?.url ?? PLACEHOLDER_TARGET, lineOf: env.loaded.lineOf };
  const openEnded = toLoadPlan(config, baseDir, fileLabel, { ...target, openEnded: true });
  const base = { name, workers: loadWorkers(config), thresholds: [] as const, plan: openEnded };
  const consent = (drill: { allowDestroy?: boolean | undefined }): void => {
    if (drill.allowDestroy || config.allowDestroy || env.allowDestroy) return;
    throw new GoliveError(
      'GOLIVE_USAGE',
      `the ${name} drill destroys the environment and its data: pass --allow-destroy, or set allowDestroy: true in the config (top level or on the drill)`,
    );
  };
  switch (name) {
    case 'capacity': {
      const c = d.capacity;
      const plan = toLoadPlan(config, baseDir, fileLabel, { ...target, durationMs: c?.duration ?? config.load.duration });
      return { ...base, kind: 'capacity', plan, objectives: c?.objectives ?? {}, thresholds: config.thresholds, needs: needs(['usage']), observe: sampleUsage };
    }
    case 'app-update': {
      const c = d['app-update']!;
      return { ...base, kind: name, objectives: c.objectives, needs: needs(['rollout']), perform: appUpdate(c) };
    }
    case 'node-drain': {
      const c = d['node-drain']!;
      return { ...base, kind: name, objectives: c.objectives, needs: needs(['drain']), perform: nodeDrain(c) };
    }
    case 'zone-outage': {
      const c = d['zone-outage']!;
      return { ...base, kind: name, objectives: c.objectives, needs: needs(['zone-outage']), perform: zoneOutage(c) };
    }
    case 'disaster-recovery': {
      const c = d['disaster-recovery']!;
      consent(c);
      return {
        ...base,
        kind: name,
        objectives: c.objectives,
        needs: needs('run' in c.backup ? [] : ['backup', 'destroy'], true),
        perform: disasterRecovery(c),
      };
    }
    case 'redeploy': {
      const c = d.redeploy!;
      consent(c);
      return { ...base, kind: name, objectives: c.objectives, needs: needs(['destroy', 'deploy'], true), perform: redeploy(c) };
    }
    default: {
      const c = d.custom[name]!;
      return { ...base, kind: 'custom', objectives: c.objectives, needs: needs(customOperations(c)), perform: customDrill(c, name) };
    }
  }
}

/** What a custom drill's actions ask of the platform. */
function customOperations(c: CustomDrillConfig): PlatformOperation[] {
  const ops = new Set<PlatformOperation>();
  for (const a of c.actions) {
    if ('rollout' in a) ops.add('rollout');
    else if ('drainNode' in a) ops.add('drain');
    else if ('failZone' in a || 'restoreZone' in a) ops.add('zone-outage');
    else if ('scale' in a) ops.add('scale');
    else if ('killReplicas' in a) ops.add('kill');
  }
  return [...ops];
}
