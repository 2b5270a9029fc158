/** app-update: a rolling update of the application while the load runs. */
import type { z } from 'zod';
import { GoliveError } from '../errors.js';
import type { RolloutChange } from '../platforms/platform.js';
import { change, phaseFields } from '../schema/fields.js';
import { duration, obj, str } from '../schema/helpers.js';
import type { DrillContext, PerformResult } from './drill.js';
import { defineDrillKind, DISRUPTION_PHASES } from './kind.js';
import { disruptionPhases, requirePlatform } from './phases.js';

const appUpdateDrill = obj({
  ...phaseFields,
  /** What the update changes. @default { kind: 'restart' } */
  change: change.default({ kind: 'restart' }),
  /** Longest the rollout may take. @default '5m' */
  timeout: duration.default(300_000),
  /** The component to update, or 'each' (one after another, each in phases of its own). @default the entry component */
  component: str('a component name, or "each"').optional(),
});

type AppUpdateDrillConfig = z.output<typeof appUpdateDrill>;

export const appUpdate = defineDrillKind({
  kind: 'app-update',
  schema: appUpdateDrill,
  phases: DISRUPTION_PHASES,
  defaultObjectives: { errors: { maxFailedRequests: 0 }, downtime: { maxDowntime: 0 } },
  explainedBy: ['GL001', 'GL002', 'GL003', 'GL004', 'GL005', 'GL006', 'GL007', 'GL021', 'GL022'],
  build: (c, name, system) => {
    if (c.component !== undefined && c.component !== EACH && system.components && !system.components.includes(c.component))
      throw new GoliveError(
        'GOLIVE_USAGE',
        `drills.${name}.component: no component "${c.component}"; the components are ${system.components.join(', ')} (or '${EACH}')`,
      );
    return { objectives: c.objectives, needs: { operations: ['rollout'], destroysEnvironment: false }, perform: performAppUpdate(c) };
  },
});

export function toRolloutChange(change: AppUpdateDrillConfig['change']): RolloutChange {
  return 'run' in change ? { kind: 'run', command: change.run } : change;
}

function performAppUpdate(cfg: AppUpdateDrillConfig) {
  return async (ctx: DrillContext): Promise<PerformResult> => {
    const platform = requirePlatform(ctx);
    const change = toRolloutChange(cfg.change);
    if (cfg.component !== EACH) {
      await disruptionPhases(ctx, cfg, () => platform.rollout(change, cfg.timeout, ctx.signal, cfg.component));
      return {};
    }
    // Each component in turn, each judged in phases of its own: `disruption <name>`, `recovery <name>`.
    ctx.phase('baseline');
    await ctx.sleep(cfg.baseline);
    for (const { name } of await platform.components()) {
      ctx.phase(`disruption ${name}`);
      await platform.rollout(change, cfg.timeout, ctx.signal, name);
      ctx.phase(`recovery ${name}`);
      await platform.waitReady(cfg.recovery, ctx.signal);
    }
    ctx.event('drill.recovered', 'the application is healthy again');
    ctx.phase('tail');
    await ctx.sleep(cfg.tail);
    return {};
  };
}

/** `component: 'each'`: every component, one after another. */
const EACH = 'each';
