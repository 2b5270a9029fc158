/** app-update: a rolling update of the application while the load runs. */
import type { z } from 'zod';
import type { RolloutChange } from '../platforms/platform.js';
import { change, phaseFields } from '../schema/fields.js';
import { duration, obj } from '../schema/helpers.js';
import type { DrillContext, PerformResult } from './drill.js';
import { defineDrillKind, DISRUPTION_PHASES } from './kind.js';
import { disruptionPhases, requirePlatform } from './phases.js';

const appUpdateDrill = obj({
  ...phaseFields,
  /** What the update changes. @default { kind: 'restart' } */
  change: change.default({ kind: 'restart' }),
  /** Longest the rollout may take. @default '5m' */
  timeout: duration.default(300_000),
});

type AppUpdateDrillConfig = z.output<typeof appUpdateDrill>;

export const appUpdate = defineDrillKind({
  kind: 'app-update',
  schema: appUpdateDrill,
  phases: DISRUPTION_PHASES,
  defaultObjectives: { errors: { maxFailedRequests: 0 }, downtime: { maxDowntime: 0 } },
  explainedBy: ['GL001', 'GL002', 'GL003', 'GL004', 'GL005', 'GL006', 'GL007', 'GL021', 'GL022'],
  build: (c) => ({ objectives: c.objectives, needs: { operations: ['rollout'], destroysEnvironment: false }, perform: performAppUpdate(c) }),
});

export function toRolloutChange(change: AppUpdateDrillConfig['change']): RolloutChange {
  return 'run' in change ? { kind: 'run', command: change.run } : change;
}

function performAppUpdate(cfg: AppUpdateDrillConfig) {
  return async (ctx: DrillContext): Promise<PerformResult> => {
    const platform = requirePlatform(ctx);
    await disruptionPhases(ctx, cfg, () => platform.rollout(toRolloutChange(cfg.change), cfg.timeout, ctx.signal));
    return {};
  };
}
