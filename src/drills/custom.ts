/** A drill of the user's own: a list of actions in the disruption phase. */
import { z } from 'zod';
import type { PlatformOperation } from '../platforms/platform.js';
import { change, hook, manual, phaseFields } from '../schema/fields.js';
import { duration, int, keyedUnion, obj, str } from '../schema/helpers.js';
import { toRolloutChange } from './app-update.js';
import type { DrillContext, PerformResult } from './drill.js';
import { defineDrillKind, DISRUPTION_PHASES } from './kind.js';
import { disruptionPhases, requirePlatform } from './phases.js';

const action = keyedUnion(
  [
    obj({ rollout: change }),
    obj({ drainNode: str('a node name or "hosting"') }),
    obj({ failZone: str('a zone') }),
    obj({ restoreZone: str('a zone') }),
    obj({ scale: int('a number of replicas', 0, 1000) }),
    obj({ killReplicas: int('a number of replicas', 1, 1000) }),
    hook,
    manual,
    obj({ waitUntilReady: duration }),
    obj({ sleep: duration }),
  ],
  'expected an action: { rollout }, { drainNode }, { failZone }, { restoreZone }, { scale }, { killReplicas }, { run }, { manual }, { waitUntilReady } or { sleep }',
);

const customDrillSchema = obj({
  ...phaseFields,
  kind: z.literal('custom'),
  actions: z.array(action).nonempty({ error: 'expected at least one action' }),
});

type CustomDrillConfig = z.output<typeof customDrillSchema>;
type DrillAction = CustomDrillConfig['actions'][number];

/** A drill of the team's own, under any name the config gives it (`kind: 'custom'`). */
export const custom = defineDrillKind({
  kind: 'custom',
  schema: customDrillSchema,
  phases: DISRUPTION_PHASES,
  defaultObjectives: { errors: { maxErrorRate: 0.01 } },
  explainedBy: [],
  build: (c, name) => ({ objectives: c.objectives, needs: { operations: customOperations(c), destroysEnvironment: false }, perform: performCustom(c, name) }),
});

/** What a custom drill's actions ask of the platform. */
function customOperations(c: CustomDrillConfig): PlatformOperation[] {
  const ops = new Set<PlatformOperation>();
  for (const a of c.actions) {
    if ('rollout' in a) ops.add('rollout');
    else if ('drainNode' in a) ops.add('drain');
    else if ('failZone' in a || 'restoreZone' in a) ops.add('fail-zone');
    else if ('scale' in a) ops.add('scale');
    else if ('killReplicas' in a) ops.add('kill');
  }
  return [...ops];
}

function performCustom(cfg: CustomDrillConfig, drillName: string) {
  return async (ctx: DrillContext): Promise<PerformResult> => {
    await disruptionPhases(ctx, cfg, async () => {
      for (const action of cfg.actions) await perform(ctx, action, drillName);
    });
    return {};
  };
}

async function perform(ctx: DrillContext, a: DrillAction, drill: string): Promise<void> {
  if ('run' in a) {
    ctx.event('action.run', a.run);
    return ctx.hooks.run(a.run, { GOLIVE_DRILL: drill }, ctx.signal);
  }
  if ('manual' in a) return ctx.hooks.manual(a.manual, ctx.signal);
  if ('sleep' in a) return ctx.sleep(a.sleep);
  const platform = requirePlatform(ctx);
  if ('rollout' in a) return platform.rollout(toRolloutChange(a.rollout), 300_000, ctx.signal);
  if ('drainNode' in a) {
    const nodes = a.drainNode === 'hosting' ? (await platform.nodes('hosting')).slice(0, 1) : [a.drainNode];
    for (const node of nodes) await platform.drainNode(node, { timeoutMs: 300_000 }, ctx.signal);
    return;
  }
  if ('failZone' in a) {
    ctx.onTeardown(`bring zone ${a.failZone} back`, `restore the nodes of ${a.failZone}`, () => platform.restoreZone(a.failZone, ctx.signal));
    return platform.failZone(a.failZone, { kind: 'evict' }, ctx.signal);
  }
  if ('restoreZone' in a) return platform.restoreZone(a.restoreZone, ctx.signal);
  if ('scale' in a) return platform.scale(a.scale, ctx.signal);
  if ('killReplicas' in a) return platform.killReplicas(a.killReplicas, ctx.signal);
  return platform.waitReady(a.waitUntilReady, ctx.signal);
}
