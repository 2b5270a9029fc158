/** A drill of the user's own: a list of actions in the disruption phase. */
import type { CustomDrillConfig, DrillAction } from '../config/schema.js';
import { toRolloutChange } from './app-update.js';
import type { DrillContext, PerformResult } from './drill.js';
import { disruptionPhases, requirePlatform } from './phases.js';

export function customDrill(cfg: CustomDrillConfig, drillName: string) {
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
