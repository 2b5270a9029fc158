/** app-update: a rolling update of the application while the load runs. */
import type { AppUpdateDrillConfig } from '../config/schema.js';
import type { RolloutChange } from '../platforms/platform.js';
import type { DrillContext, PerformResult } from './drill.js';
import { disruptionPhases, requirePlatform } from './phases.js';

export function toRolloutChange(change: AppUpdateDrillConfig['change']): RolloutChange {
  return 'run' in change ? { kind: 'run', command: change.run } : change;
}

export function appUpdate(cfg: AppUpdateDrillConfig) {
  return async (ctx: DrillContext): Promise<PerformResult> => {
    const platform = requirePlatform(ctx);
    await disruptionPhases(ctx, cfg, () => platform.rollout(toRolloutChange(cfg.change), cfg.timeout, ctx.signal));
    return {};
  };
}
