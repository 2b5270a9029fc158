/** Builds the drills a config asks for, in the configured order. Each kind brings its own builder. */
import { availableParallelism } from 'node:os';
import type { LoadedConfig } from '../config/load-config.js';
import { DRILL_KINDS, type ResolvedConfig } from '../config/schema.js';
import { toLoadPlan } from '../config/to-plan.js';
import { GoliveError } from '../errors.js';
import type { WorkerKind } from '../engine/worker-channel.js';
import { appUpdate } from './app-update.js';
import { capacityWithUsage } from './capacity.js';
import { customDrill } from './custom.js';
import { disasterRecovery } from './disaster-recovery.js';
import type { DrillSpec } from './drill.js';
import { nodeDrain } from './node-drain.js';
import { redeploy } from './redeploy.js';
import { zoneOutage } from './zone-outage.js';

export interface BuildEnv {
  loaded: LoadedConfig;
  /** Where load goes when the platform provides it (the local front proxy). */
  targetUrl?: string | undefined;
  /** Consent from the command line for destructive drills. */
  allowDestroy?: boolean;
}

/** Where the load runs: `load.workers` processes when configured, else one thread per core (or `load.threads`). */
export function loadWorkers(config: ResolvedConfig): { kind: WorkerKind; count: number } {
  const w = config.load.workers;
  if (w) return { kind: w.kind, count: w.count };  // processes, or pods of a Job
  return { kind: 'threads', count: config.load.threads ?? Math.max(1, availableParallelism()) };
}

/** The drills to run: the configured ones in order (or `capacity` when none is), filtered by `only`. */
export function buildDrills(env: BuildEnv, only: readonly string[] = []): DrillSpec[] {
  const { config } = env.loaded;
  const configured = env.loaded.drillOrder.filter((n) => (DRILL_KINDS as readonly string[]).includes(n) ? config.drills[n as keyof typeof config.drills] !== undefined : n in config.drills.custom);
  const names = configured.length > 0 ? configured : ['capacity'];
  for (const wanted of only) {
    if (!names.includes(wanted)) throw new GoliveError('GOLIVE_USAGE', `no drill "${wanted}" in the config; it has: ${names.join(', ')}`);
  }
  const selected = only.length > 0 ? names.filter((n) => only.includes(n)) : names;
  return selected.map((name) => buildDrill(env, name));
}

function buildDrill(env: BuildEnv, name: string): DrillSpec {
  const { config, baseDir, fileLabel } = env.loaded;
  const d = config.drills;
  const planOptions = { ...(env.targetUrl ? { targetUrl: env.targetUrl } : {}) };
  const openEnded = toLoadPlan(config, baseDir, fileLabel, { ...planOptions, openEnded: true });
  const base = { name, workers: loadWorkers(config), thresholds: [] as const, plan: openEnded };
  const consent = (drill: { allowDestroy?: boolean | undefined }): void => {
    if (drill.allowDestroy || config.allowDestroy || env.allowDestroy) return;
    throw new GoliveError('GOLIVE_USAGE', `the ${name} drill destroys the environment and its data: pass --allow-destroy, or set allowDestroy: true in the config (top level or on the drill)`);
  };
  switch (name) {
    case 'capacity': {
      const c = d.capacity;
      const durationMs = c?.duration ?? config.load.duration;
      // On Kubernetes, usage is sampled while the load runs; elsewhere the load is all there is.
      if (config.platform?.kind === 'kubernetes') {
        return { ...base, kind: 'capacity', objectives: c?.objectives ?? {}, thresholds: config.thresholds, perform: capacityWithUsage(durationMs) };
      }
      const plan = toLoadPlan(config, baseDir, fileLabel, { ...planOptions, durationMs });
      return { ...base, kind: 'capacity', plan, objectives: c?.objectives ?? {}, thresholds: config.thresholds };
    }
    case 'app-update': {
      const c = d['app-update']!;
      return { ...base, kind: name, objectives: c.objectives, perform: appUpdate(c) };
    }
    case 'node-drain': {
      const c = d['node-drain']!;
      return { ...base, kind: name, objectives: c.objectives, perform: nodeDrain(c) };
    }
    case 'zone-outage': {
      const c = d['zone-outage']!;
      return { ...base, kind: name, objectives: c.objectives, perform: zoneOutage(c) };
    }
    case 'disaster-recovery': {
      const c = d['disaster-recovery']!;
      consent(c);
      return { ...base, kind: name, objectives: c.objectives, perform: disasterRecovery(c) };
    }
    case 'redeploy': {
      const c = d.redeploy!;
      consent(c);
      return { ...base, kind: name, objectives: c.objectives, perform: redeploy(c, openEnded) };
    }
    default: {
      const c = d.custom[name]!;
      return { ...base, kind: 'custom', objectives: c.objectives, perform: customDrill(c, name) };
    }
  }
}
