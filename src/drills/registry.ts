/** Builds the drills a config asks for, in the configured order. Each kind brings its own builder. */
import type { LoadedConfig } from '../config/load-config.js';
import { toLoadPlan } from '../config/to-plan.js';
import type { ResolvedConfig } from '../config/schema.js';
import { GoliveError } from '../errors.js';
import type { DrillSpec } from './drill.js';
import { availableParallelism } from 'node:os';

type DrillName = keyof ResolvedConfig['drills'];

interface DrillBuilder {
  build(loaded: LoadedConfig, name: string, threads: number): DrillSpec;
}

const capacity: DrillBuilder = {
  build(loaded, name, threads) {
    const { config } = loaded;
    const drill = config.drills.capacity;
    const plan = toLoadPlan(config, loaded.baseDir, loaded.fileLabel, drill?.duration !== undefined ? { durationMs: drill.duration } : {});
    return {
      name,
      kind: 'capacity',
      plan,
      threads,
      objectives: drill?.objectives ?? {},
      thresholds: config.thresholds,
    };
  },
};

const BUILDERS: Record<DrillName, DrillBuilder> = { capacity };

export function defaultThreads(config: ResolvedConfig): number {
  return config.load.threads ?? Math.max(1, availableParallelism());
}

/** The drills to run: the configured ones (or `capacity` when none is), filtered by `only`. */
export function buildDrills(loaded: LoadedConfig, only: readonly string[] = []): DrillSpec[] {
  const configured = Object.keys(loaded.config.drills).filter((k) => loaded.config.drills[k as DrillName] !== undefined) as DrillName[];
  const names: DrillName[] = configured.length > 0 ? configured : ['capacity'];
  for (const wanted of only) {
    if (!names.includes(wanted as DrillName)) {
      throw new GoliveError('GOLIVE_USAGE', `no drill "${wanted}" in the config; it has: ${names.join(', ')}`);
    }
  }
  const selected = only.length > 0 ? names.filter((n) => only.includes(n)) : names;
  const threads = defaultThreads(loaded.config);
  return selected.map((name) => BUILDERS[name].build(loaded, name, threads));
}
