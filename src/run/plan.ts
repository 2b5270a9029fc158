/**
 * The plan of a run: the config loaded with its settings, and every drill built once, before anything
 * starts — a bad config or a missing consent stops the run here, with nothing changed.
 */
import { loadConfig, type LoadedConfig } from '../config/load-config.js';
import type { Settings } from '../config/precedence.js';
import type { GoliveConfigInput } from '../config/schema.js';
import { toLoadPlan } from '../config/to-plan.js';
import type { DrillSpec } from '../drills/drill.js';
import { buildDrills, loadWorkers } from '../drills/registry.js';

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
  const spec: DrillSpec = {
    name: 'load',
    kind: 'load',
    plan: toLoadPlan(loaded.config, loaded.baseDir, undefined),
    workers: loadWorkers(loaded.config),
    objectives: {},
    thresholds: loaded.config.thresholds,
    needs: { operations: [], destroysEnvironment: false },
  };
  return { loaded, drills: [spec] };
}

/** The drill with its load sent to `url` (the local platform's Service, known once the platform started). */
export function atTarget(spec: DrillSpec, url: string): DrillSpec {
  const origin = new URL(url).origin;
  if (origin === spec.plan.target.origin) return spec;
  return { ...spec, plan: { ...spec.plan, target: { ...spec.plan.target, origin } } };
}
