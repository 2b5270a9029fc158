/** disaster-recovery: backup, destroy, restore, and what users' data and time it cost. */
import { z } from 'zod';
import { GoliveError } from '../errors.js';
import type { EventKind } from '../model/events.js';
import type { KindDetails } from '../model/result.js';
import { phaseFields } from '../schema/fields.js';
import { bool, duration, obj, str } from '../schema/helpers.js';
import { CanaryWriter, recoveryFigures, requestTemplate } from './canary.js';
import type { DrillContext, PerformResult } from './drill.js';
import { defineDrillKind, DISRUPTION_PHASES } from './kind.js';
import { requirePlatform } from './phases.js';

const disasterRecoveryDrill = obj({
  ...phaseFields,
  backup: z
    .union(
      [
        obj({ snapshot: z.literal(true) }),
        obj({
          velero: obj({ namespace: str('a namespace').default('velero'), storageLocation: str('a storage location').optional(), ttl: str('a TTL').optional() }),
        }),
        obj({ run: str('a backup command'), destroy: str('a destroy command'), restore: str('a restore command') }),
      ],
      { error: () => 'expected { snapshot: true } (local), { velero: { namespace } } or { run, destroy, restore } commands' },
    )
    .default({ snapshot: true }),
  /** Writes keep coming between the backup and the disaster: those are what a restore loses. @default '3s' */
  afterBackup: duration.default(3000),
  canary: obj({
    /** Canary writes per second, beside the main load. @default 5 */
    rate: z.number().positive().max(1000).default(5),
    write: requestTemplate.prefault({ method: 'POST', url: '/items', json: { seq: '{{seq}}', ts: '{{ts}}' } }),
    read: requestTemplate.prefault({ url: '/items/{{seq}}' }),
  }).prefault({}),
  /** Consent: this drill deletes the environment and its data. */
  allowDestroy: bool('allowDestroy').optional(),
});

type DisasterRecoveryDrillConfig = z.output<typeof disasterRecoveryDrill>;

/** What a disaster-recovery drill adds to its result (`capacity` in summary.json). */
export interface DisasterRecoveryDetails extends KindDetails {
  backupId: string;
  /** When the backup began and when it completed (drill time). */
  backupStartMs: number;
  backupAtMs: number;
  disasterAtMs: number;
  /** Canary writes acknowledged before the backup began (it must hold them), while it ran (it may), after it completed (it cannot). */
  ackedBeforeBackup: number;
  ackedDuringBackup: number;
  ackedAfterBackup: number;
  canary: { t: number[]; acked: number[]; lost: number[] };
}

export const disasterRecovery = defineDrillKind({
  kind: 'disaster-recovery',
  schema: disasterRecoveryDrill,
  phases: DISRUPTION_PHASES,
  // A backup missing writes acknowledged before it began is incomplete: the finding that matters most.
  defaultObjectives: { backup: { maxLostBeforeBackup: 0 } },
  explainedBy: ['GL016', 'GL017', 'GL021'],
  build: (c) => ({
    objectives: c.objectives,
    needs: { operations: 'run' in c.backup ? [] : ['backup', 'destroy'], destroysEnvironment: true },
    perform: performDisasterRecovery(c),
  }),
});

function performDisasterRecovery(cfg: DisasterRecoveryDrillConfig) {
  return async (ctx: DrillContext): Promise<PerformResult> => {
    const platform = requirePlatform(ctx);
    const canary = new CanaryWriter({
      targetUrl: ctx.targetUrl,
      rate: cfg.canary.rate,
      write: cfg.canary.write,
      read: cfg.canary.read,
      now: () => ctx.now(),
      zeroEpochMs: ctx.zeroEpochMs,
    });
    if (!ctx.dryRun) canary.start();
    ctx.onTeardown('stop canary writes', 'nothing to undo', () => canary.stop());
    ctx.event('canary.started', `canary writes at ${cfg.canary.rate}/s: ${cfg.canary.write.method} ${cfg.canary.write.url}`);

    ctx.phase('baseline');
    await ctx.sleep(cfg.baseline);

    ctx.phase('disruption');
    // The backup, destroy and restore steps: the platform's own (snapshot, Velero) or the user's commands.
    const hooks = 'run' in cfg.backup ? cfg.backup : undefined;
    const step = async (kind: EventKind, command: string): Promise<void> => {
      ctx.event(kind, `hook: ${command}`);
      await ctx.hooks.run(command, { GOLIVE_DRILL: disasterRecovery.kind }, ctx.signal);
    };
    // A backup takes time: a write acknowledged while it ran may or may not be in it. Writes acknowledged
    // before it began must be; writes after it ended cannot be.
    const backupStartMs = ctx.now();
    const ackedBeforeBackup = canary.acknowledged.length;
    const backupId = hooks ? (await step('backup.started', hooks.run), 'hook') : await platform.backup(ctx.signal);
    const backupAtMs = ctx.now();
    const ackedAtBackup = canary.acknowledged.length;
    if (!ctx.dryRun && ackedAtBackup === 0) {
      // Nothing would measure what the restore loses: stop here, before anything is destroyed.
      throw new GoliveError(
        'GOLIVE_PLATFORM_FAILED',
        `no canary write was acknowledged before the backup completed, so nothing was destroyed: ${cfg.canary.write.method} ${cfg.canary.write.url} got ${canary.lastRefusal ?? 'no answer yet'}. Set canary.write (and its check) to a write your app acknowledges.`,
      );
    }
    await ctx.sleep(cfg.afterBackup);
    // The disaster is the moment writing stops: after the writes in flight are answered, so no write counted
    // as acknowledged comes after it (that made the recovery point negative).
    await canary.stop();
    const disasterAtMs = ctx.now();
    ctx.event(
      'disaster',
      `destroying the environment (${canary.acknowledged.length} writes acknowledged so far, ${canary.acknowledged.length - ackedAtBackup} since the backup)`,
    );
    if (hooks) await step('destroy', hooks.destroy);
    else await platform.destroy(ctx.signal);
    if (hooks) await step('restore.started', hooks.restore);
    else await platform.restore(backupId, ctx.signal);

    ctx.phase('recovery');
    await platform.waitReady(cfg.recovery, ctx.signal);
    if (ctx.dryRun) return {};
    const verification = await canary.verify(ctx.now() + cfg.recovery);
    const recovery = recoveryFigures(canary.acknowledged, verification.lost, disasterAtMs, verification.verifiedAtMs, backupStartMs);
    const incomplete = recovery.lostBeforeBackup
      ? `; the backup does not hold ${recovery.lostBeforeBackup} of the ${recovery.ackedBeforeBackup} writes acknowledged before it`
      : '';
    const unread = verification.unread ? `; ${verification.unread} could not be read back in time (last answer: ${verification.lastAnswer ?? 'none'})` : '';
    ctx.event(
      'canary.verified',
      `${verification.acked - verification.lost.length} of ${verification.acked} acknowledged writes survived; lost: ${verification.lost.length ? summarizeSeqs(verification.lost) : 'none'}${incomplete}${unread}`,
    );

    ctx.phase('tail');
    await ctx.sleep(cfg.tail);
    // A write sent before the backup completed may be in it even when its acknowledgement came after: only
    // one sent after the backup completed cannot be; one acknowledged while it ran, or sent before and
    // acknowledged after, may or may not be.
    const ackedAfterBackup = canary.acknowledged.filter((a) => a.sentAtMs > backupAtMs).length;
    const uncertain = canary.acknowledged.filter((a) => a.atMs >= backupStartMs && a.sentAtMs <= backupAtMs).length;
    const details: DisasterRecoveryDetails = {
      kind: disasterRecovery.kind,
      backupId,
      backupStartMs: Math.round(backupStartMs),
      backupAtMs: Math.round(backupAtMs),
      ackedBeforeBackup,
      ackedDuringBackup: uncertain,
      disasterAtMs: Math.round(disasterAtMs),
      ackedAfterBackup,
      canary: canarySeries(canary.acknowledged, new Set(verification.lost), ctx.now()),
    };
    return { recovery, details };
  };
}

function summarizeSeqs(seqs: number[]): string {
  if (seqs.length <= 6) return seqs.join(', ');
  return `${seqs.slice(0, 3).join(', ')} … ${seqs.slice(-2).join(', ')} (${seqs.length})`;
}

/** Cumulative acknowledged and lost canary writes per second, by acknowledgement time, for the report chart. */
function canarySeries(
  acks: readonly { seq: number; atMs: number }[],
  lost: ReadonlySet<number>,
  endMs: number,
): { t: number[]; acked: number[]; lost: number[] } {
  const seconds = Math.ceil(endMs / 1000);
  const series = { t: [] as number[], acked: [] as number[], lost: [] as number[] };
  for (let s = 1; s <= seconds; s++) {
    const upTo = acks.filter((a) => a.atMs < s * 1000);
    series.t.push(s);
    series.acked.push(upTo.length);
    series.lost.push(upTo.filter((a) => lost.has(a.seq)).length);
  }
  return series;
}
