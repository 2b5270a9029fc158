/** zone-outage: every node of one zone lost at once; do the remaining zones carry the load? */
import { z } from 'zod';
import { GoliveError } from '../errors.js';
import type { ZoneOutageMode } from '../platforms/platform.js';
import { hook, phaseFields } from '../schema/fields.js';
import { duration, obj, oneOf, str } from '../schema/helpers.js';
import type { DrillContext, PerformResult } from './drill.js';
import { defineDrillKind, DISRUPTION_PHASES } from './kind.js';
import { disruptionPhases, requirePlatform } from './phases.js';

const zoneOutageDrill = obj({
  ...phaseFields,
  /** The zone to lose. @default the zone hosting the most replicas */
  zone: str('a zone').optional(),
  /** How the zone is lost (see README). @default 'evict' */
  mode: z.union([oneOf(['evict', 'unreachable'] as const), hook]).default('evict'),
  /** How long the zone stays lost before it comes back. @default until the app recovered (10s when a component can run only in that zone) */
  outage: duration.optional(),
});

type ZoneOutageDrillConfig = z.output<typeof zoneOutageDrill>;

export const zoneOutage = defineDrillKind({
  kind: 'zone-outage',
  schema: zoneOutageDrill,
  phases: DISRUPTION_PHASES,
  defaultObjectives: { errors: { maxErrorRate: 0.01 }, downtime: { maxDowntime: 0 } },
  explainedBy: ['GL001', 'GL002', 'GL012', 'GL013', 'GL015', 'GL021', 'GL022', 'GL023'],
  build: (c) => ({ objectives: c.objectives, needs: { operations: ['fail-zone'], destroysEnvironment: false }, perform: performZoneOutage(c) }),
});

function performZoneOutage(cfg: ZoneOutageDrillConfig) {
  return async (ctx: DrillContext): Promise<PerformResult> => {
    const platform = requirePlatform(ctx);
    const zones = await platform.zones();
    if (zones.length < 2) throw new GoliveError('GOLIVE_PLATFORM_UNSUPPORTED', `zone-outage needs at least 2 zones; the platform has ${zones.length}`);
    const zone = cfg.zone ?? [...zones].sort((a, b) => b.replicas - a.replicas)[0]!.zone;
    const lost = zones.find((z) => z.zone === zone);
    if (!lost) throw new GoliveError('GOLIVE_USAGE', `no zone "${zone}"; zones: ${zones.map((z) => z.zone).join(', ')}`);
    const mode: ZoneOutageMode =
      cfg.mode === 'evict' ? { kind: 'evict' } : cfg.mode === 'unreachable' ? { kind: 'unreachable' } : { kind: 'run', command: cfg.mode.run };
    let restored = false;
    const restore = async (): Promise<void> => {
      if (restored) return;
      restored = true;
      await platform.restoreZone(zone, ctx.signal);
    };
    ctx.onTeardown(`bring zone ${zone} back`, `restore the nodes of ${zone} (uncordon, remove golive taints)`, restore);
    // A component that may run only in the lost zone (a zonal volume) has nowhere to go: it comes back with its zone.
    const stuck = (await platform.components()).filter((c) => c.zones !== undefined && c.zones.every((z) => z === zone)).map((c) => c.name);
    let recoveredAtMs: number | undefined;
    let lostAtMs = 0;
    await disruptionPhases(
      ctx,
      cfg,
      async () => {
        lostAtMs = ctx.now();
        await platform.failZone(zone, mode, ctx.signal);
      },
      async () => {
        const deadline = ctx.now() + cfg.recovery;
        await platform.waitZoneEvacuated(zone, cfg.recovery, ctx.signal);
        if (stuck.length > 0) {
          ctx.event('zone.stuck', `${stuck.join(', ')} can run only in ${zone}: ${stuck.length === 1 ? 'it comes' : 'they come'} back with the zone`, zone);
          await ctx.sleep(Math.max(0, (cfg.outage ?? STUCK_OUTAGE_MS) - (ctx.now() - lostAtMs)));
          await restore();
        }
        await platform.waitReady(Math.max(0, deadline - ctx.now()), ctx.signal);
        recoveredAtMs = ctx.now();
        if (cfg.outage !== undefined) await ctx.sleep(Math.max(0, cfg.outage - (ctx.now() - lostAtMs)));
      },
    );
    await restore();
    const remaining = zones.filter((z) => z.zone !== zone);
    return {
      details: {
        kind: zoneOutage.kind,
        zone,
        mode: mode.kind,
        replicasLost: lost.replicas,
        remainingZones: remaining.map((z) => z.zone),
        replacedInMs: recoveredAtMs === undefined ? null : Math.round(recoveredAtMs - lostAtMs),
      },
    };
  };
}

/** How long a zone stays lost when a component can run only there and the config sets no outage. */
const STUCK_OUTAGE_MS = 10_000;
