/** redeploy: reset to empty and deploy from a clean clone; how long until users are served again. */
import type { z } from 'zod';
import { GoliveError } from '../errors.js';
import { phaseFields } from '../schema/fields.js';
import { bool, duration, obj, str } from '../schema/helpers.js';
import { defineDrillKind, DISRUPTION_PHASES } from './kind.js';
import { formatDuration } from '../model/format.js';
import type { DrillContext, PerformResult } from './drill.js';
import { requirePlatform } from './phases.js';
import { smokePasses } from './smoke.js';

const redeployDrill = obj({
  ...phaseFields,
  /** The Git repository to deploy from, cloned at HEAD: uncommitted files do not exist. @default '.' */
  repo: str('a repository path').default('.'),
  /** Build step run in the clone (local). */
  build: str('a build command').optional(),
  /** Deploy command run in the clone (kubernetes). */
  command: str('a deploy command').optional(),
  /** Longest the setup may take. @default '15m' */
  timeout: duration.default(900_000),
  /**
   * Build and start with empty package caches (a fresh HOME, npm_config_cache, PIP_CACHE_DIR, GOCACHE, …), as a
   * deploy from scratch has: a warm cache hides a missing lockfile or an unpinned dependency. @default true
   */
  cold: bool('cold').default(true),
  allowDestroy: bool('allowDestroy').optional(),
});

type RedeployDrillConfig = z.output<typeof redeployDrill>;

export const redeploy = defineDrillKind({
  kind: 'redeploy',
  schema: redeployDrill,
  phases: DISRUPTION_PHASES,
  defaultObjectives: {},
  explainedBy: ['GL018', 'GL019', 'GL020', 'GL021'],
  build: (c) => ({ objectives: c.objectives, needs: { operations: ['destroy', 'deploy'], destroysEnvironment: true }, perform: performRedeploy(c) }),
});

function performRedeploy(cfg: RedeployDrillConfig) {
  return async (ctx: DrillContext): Promise<PerformResult> => {
    const platform = requirePlatform(ctx);
    const details = { kind: redeploy.kind, coldCaches: cfg.cold };
    ctx.phase('baseline');
    await ctx.sleep(cfg.baseline);

    ctx.phase('disruption');
    await platform.reset(ctx.signal);
    const resetAtMs = ctx.now();
    try {
      await platform.deployFromRepo({ repo: cfg.repo, build: cfg.build, command: cfg.command, coldCaches: cfg.cold }, ctx.signal);
    } catch (err) {
      // The app's own build or deploy command failed: the drill failed (judged), not the run.
      if (!(err instanceof GoliveError) || err.code !== 'GOLIVE_SETUP_FAILED') throw err;
      const first = (err.message.split('\n')[0] ?? err.message).replace(/; its last \d+ line\(s\) of output:$/, '');
      ctx.event('deploy.failed', first);
      ctx.phase('tail');
      await ctx.sleep(cfg.tail);
      return {
        setupFailure: `failed at ${first.startsWith('build') ? 'build' : 'deploy'}: ${first}`,
        details,
        findings: [{ id: 'setup', severity: 'error', message: err.message }],
      };
    }

    ctx.phase('recovery');
    if (ctx.dryRun) {
      ctx.event('deploy.ready', `would wait up to ${formatDuration(cfg.timeout)} for every replica to be ready and the smoke test to pass`);
      return { details };
    }
    const deadline = resetAtMs + cfg.timeout;
    await platform.waitReady(Math.max(0, deadline - ctx.now()), ctx.signal);
    ctx.event('deploy.ready', 'every replica is ready; running the smoke test');
    while (!(await smokePasses(ctx.plan))) {
      if (ctx.now() > deadline) throw new GoliveError('GOLIVE_PLATFORM_FAILED', `the smoke test did not pass within ${cfg.timeout} ms of the reset`);
      await ctx.sleep(200);
    }
    const setupMs = Math.round(ctx.now() - resetAtMs);
    ctx.event(
      'deploy.healthy',
      `healthy and the smoke test passed: setup took ${setupMs} ms${cfg.cold ? ' (package caches were empty)' : ' (package caches were warm)'}`,
    );

    ctx.phase('tail');
    await ctx.sleep(cfg.tail);
    return { setupMs, details };
  };
}
