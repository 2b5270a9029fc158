/**
 * The plan of a run: the config loaded with its settings, and every drill built once from its kind's
 * descriptor, before anything starts — a bad config or a missing consent stops the run here, with nothing
 * changed. Nothing here knows a drill kind by name: each descriptor builds its own drill.
 */
import { availableParallelism } from 'node:os';
import { loadConfig, type LoadedConfig } from '../config/load-config.js';
import type { Settings } from '../config/precedence.js';
import type { GoliveConfigInput, ResolvedConfig } from '../config/schema.js';
import { DEFAULT_RATE, toLoadPlan } from '../config/to-plan.js';
import type { DrillSpec } from '../drills/drill.js';
import type { DrillKind } from '../drills/kind.js';
import { BUILT_IN_DRILLS, builtInDrill, customDrillKind, loadDrillKind, type DrillKindName } from '../drills/kinds.js';
import type { WorkerKind } from '../engine/worker-channel.js';
import { GoliveError } from '../errors.js';

export interface RunPlan {
  loaded: LoadedConfig;
  drills: DrillSpec[];
}

export interface PlanSource {
  cwd: string;
  configFile?: string | undefined;
  config?: GoliveConfigInput | undefined;
  settings?: Settings | undefined;
  /** How errors name an inline config. */
  label?: string | undefined;
}

async function load(source: PlanSource): Promise<LoadedConfig> {
  return loadConfig({
    cwd: source.cwd,
    ...(source.configFile !== undefined ? { file: source.configFile } : {}),
    ...(source.config !== undefined ? { inline: source.config } : {}),
    ...(source.settings ? { overrides: source.settings.overrides, origins: source.settings.origins } : {}),
    ...(source.label !== undefined ? { label: source.label } : {}),
  });
}

/** The configured drills (all, or `only`, in the configured order). */
export async function planDrills(source: PlanSource, only: readonly string[], allowDestroy: boolean): Promise<RunPlan> {
  const loaded = await load(source);
  return { loaded, drills: buildDrills({ loaded, allowDestroy }, only) };
}

/** A plain load test (`golive load URL`): one drill of kind `load`, judged by the config's thresholds. */
export async function planLoadTest(source: PlanSource): Promise<RunPlan> {
  const loaded = await load(source);
  const built = loadDrillKind.build({}, 'load', {});
  const spec: DrillSpec = {
    name: 'load',
    kind: loadDrillKind.kind,
    plan: toLoadPlan(loaded.config, loaded.baseDir, undefined),
    workers: loadWorkers(loaded.config),
    objectives: built.objectives,
    defaultObjectives: loadDrillKind.defaultObjectives,
    thresholds: loaded.config.thresholds,
    needs: built.needs,
  };
  return { loaded, drills: [spec] };
}

/** Where load goes until the platform says (the local front proxy): the plan is rebased onto the real URL at run time. */
const PLACEHOLDER_TARGET = 'http://127.0.0.1:1';

export interface BuildEnv {
  loaded: LoadedConfig;
  /** Consent from the command line for destructive drills. */
  allowDestroy?: boolean;
}

/** The drills to run: the configured ones in order (or the first built-in, capacity, when none is), filtered by `only`. */
export function buildDrills(env: BuildEnv, only: readonly string[] = []): DrillSpec[] {
  const { config } = env.loaded;
  const configured = env.loaded.drillOrder.filter((n) => (builtInDrill(n) ? configBlock(config, n) !== undefined : n in config.drills.custom));
  const names = configured.length > 0 ? configured : [BUILT_IN_DRILLS[0].kind];
  for (const wanted of only) {
    if (!names.includes(wanted)) throw new GoliveError('GOLIVE_USAGE', `no drill "${wanted}" in the config; it has: ${names.join(', ')}`);
  }
  const selected = only.length > 0 ? names.filter((n) => only.includes(n)) : names;
  return selected.map((name) => buildDrill(env, name));
}

/** A built-in drill's block as the config resolved it (with its defaults when the config names it without one). */
function configBlock(config: ResolvedConfig, name: string): unknown {
  return (config.drills as Record<string, unknown>)[name];
}

function buildDrill(env: BuildEnv, name: string): DrillSpec {
  const { config, baseDir, fileLabel } = env.loaded;
  const kind: DrillKind = builtInDrill(name) ?? customDrillKind;
  const block = kind === customDrillKind ? config.drills.custom[name] : (configBlock(config, name) ?? kind.schema.parse({}));
  const p = config.platform;
  const built = kind.build(block, name, { components: p?.kind === 'local' ? Object.keys(p.components) : undefined });
  if (built.needs.destroysEnvironment && !(block as { allowDestroy?: boolean }).allowDestroy && !config.allowDestroy && !env.allowDestroy)
    throw new GoliveError(
      'GOLIVE_USAGE',
      `the ${name} drill destroys the environment and its data: pass --allow-destroy, or set allowDestroy: true in the config (top level or on the drill)`,
    );
  const target = { targetUrl: config.target?.url ?? PLACEHOLDER_TARGET, lineOf: env.loaded.lineOf };
  // A drill that acts runs its load open-ended (it ends the load); a plain load runs for its duration.
  const plan = built.perform
    ? toLoadPlan(config, baseDir, fileLabel, { ...target, openEnded: true })
    : toLoadPlan(config, baseDir, fileLabel, { ...target, durationMs: built.durationMs ?? config.load.duration });
  return {
    name,
    kind: kind.kind as DrillKindName,
    plan,
    workers: loadWorkers(config),
    objectives: built.objectives,
    defaultObjectives: kind.defaultObjectives,
    thresholds: built.judgedByThresholds ? config.thresholds : [],
    needs: built.needs,
    ...(built.perform ? { perform: built.perform } : {}),
    ...(built.observe ? { observe: built.observe } : {}),
  };
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

/** The drill with its load sent to `url` (the local platform's Service, known once the platform started). */
export function atTarget(spec: DrillSpec, url: string): DrillSpec {
  const origin = new URL(url).origin;
  if (origin === spec.plan.target.origin) return spec;
  return { ...spec, plan: { ...spec.plan, target: { ...spec.plan.target, origin } } };
}
