/** The phases every disruption drill goes through: baseline → disruption → recovery → tail. */
import { GoliveError } from '../errors.js';
import type { Platform } from '../platforms/platform.js';
import type { DrillContext } from './drill.js';

export interface PhaseDurations {
  baseline: number;
  /** Longest wait for the app to be healthy again. */
  recovery: number;
  tail: number;
}

export async function disruptionPhases(ctx: DrillContext, d: PhaseDurations, disrupt: () => Promise<void>, recover?: () => Promise<void>): Promise<void> {
  ctx.phase('baseline');
  await ctx.sleep(d.baseline);
  ctx.phase('disruption');
  await disrupt();
  ctx.phase('recovery');
  if (recover) await recover();
  else await requirePlatform(ctx).waitReady(d.recovery, ctx.signal);
  ctx.event('drill.recovered', 'the application is healthy again');
  ctx.phase('tail');
  await ctx.sleep(d.tail);
}

export function requirePlatform(ctx: DrillContext): Platform {
  if (!ctx.platform)
    throw new GoliveError('GOLIVE_USAGE', "this drill needs a platform: add platform: { kind: 'local', … } or { kind: 'kubernetes', … } to the config");
  return ctx.platform;
}
