/**
 * One run from its plan to its result: the results folder and journal, the platform, one teardown stack
 * for everything golive changes, the drills in order, and the summary and reports at the end. The
 * terminal and the reporters are ports given by the caller: the library never reaches for process.stdout.
 */
import path from 'node:path';
import { createHookRunner, createPlannedHookRunner, type HookOptions } from '../drills/hooks.js';
import { GoliveError } from '../errors.js';
import type { EventSink } from '../model/events.js';
import type { DrillResult, RunResult } from '../model/result.js';
import type { ResolvedConfig } from '../config/schema.js';
import { createPlannedPlatform, createPlatform, PLATFORM_UNDOERS, type PlatformEnvironment } from '../platforms/registry.js';
import { createMultiplexer, type Reporter } from '../report/reporter.js';
import { ResultsFolder } from '../results/results-folder.js';
import { Journal } from '../safety/journal.js';
import { markOwned, removeOwnedTempDir } from '../safety/owned-temp-dir.js';
import { recoverKnownRuns } from '../safety/recover.js';
import { registerRun, type RegisteredRun } from '../safety/run-registry.js';
import { TeardownStack } from '../safety/teardown-stack.js';
import { VERSION } from '../version.js';
import { PrometheusReader } from '../observe/prometheus.js';
import { allQueries } from '../observe/platform-queries.js';
import { ignoredConfigNote } from '../config/load-config.js';
import { placementSkew } from '../analysis/placement.js';
import { redactConfig } from './redact.js';
import { redactUrl } from '../model/format.js';
import { createExplainer, writeConfiguredReports } from './finish.js';
import { atTarget, type RunPlan } from './plan.js';
import { runDrill, type DrillActors } from './run-drill.js';

export interface SessionOptions {
  cwd: string;
  reporters: Reporter[];
  signal: AbortSignal;
  warn: (message: string) => void;
  allowDestroy: boolean;
  assumeYes: boolean;
  dryRun: boolean;
  context?: string | undefined;
  onMutation?: ((description: string) => void) | undefined;
  /** Temp folders golive made for this run before it began (the demo's workspace): journalled, removed at its end. */
  ownTempDirs?: readonly string[] | undefined;
  /** Where an operator answers manual steps. */
  input?: (NodeJS.ReadableStream & { isTTY?: boolean }) | undefined;
  output?: NodeJS.WritableStream | undefined;
}

export interface RunOutcome {
  result: RunResult;
  resultsDir: string;
  /** Report files written (HTML, JUnit, Markdown). */
  reports: string[];
  /** True when the run was stopped before every drill finished. */
  interrupted: boolean;
}

export async function runSession(plan: RunPlan, o: SessionOptions): Promise<RunOutcome> {
  const { loaded } = plan;
  const { config } = loaded;
  const { warn } = o;
  const ignored = ignoredConfigNote(loaded);
  if (ignored) warn(ignored);
  // The run stops on the caller's signal, or when its results can no longer be written (a full disk).
  const stop = new AbortController();
  const onCallerAbort = (): void => stop.abort();
  o.signal.addEventListener('abort', onCallerAbort, { once: true });
  if (o.signal.aborted) stop.abort();
  const signal = stop.signal;
  let writeFailure: string | undefined;
  const hooks = createMultiplexer(o.reporters, warn);
  // The platform's Prometheus answers and every query parses, before any results folder,
  // platform or change.
  const prometheus = config.observe?.prometheus;
  const reader = prometheus ? new PrometheusReader(prometheus, allQueries(prometheus, config.platform)) : undefined;
  await reader?.check(signal);
  const outputRoot = path.resolve(o.cwd, config.output.dir);
  // A dry run undoes nothing either: it says what the next run would clean up.
  const leftovers = await recoverKnownRuns(outputRoot, PLATFORM_UNDOERS, { describeOnly: o.dryRun });
  for (const line of leftovers.pending) warn(`an earlier run did not finish; a run (or golive recover) would undo: ${line}`);
  for (const line of leftovers.undone) warn(`cleaned up after an earlier run that did not finish: ${line}`);
  for (const line of leftovers.failed) warn(`an earlier run left this behind and it could not be undone: ${line}`);
  const folder = new ResultsFolder(outputRoot, config.name, new Date(), (message) => {
    writeFailure = message;
    warn(`${message}: stopping the run (what was written is kept)`);
    stop.abort();
  });
  const journal = new Journal(folder.dir);
  // Registered before any change, so `golive recover` finds this run wherever --out put it.
  const registration = o.dryRun ? undefined : register(folder.dir, journal.runId, warn);
  const teardowns = new TeardownStack(journal);
  const startedAt = new Date().toISOString();
  // Registered first, so undone last: the platform's replicas may run from these folders.
  for (const dir of o.ownTempDirs ?? []) {
    markOwned(dir, journal.runId);
    const entry = journal.record(`made ${dir}`, `rm -rf ${dir}`, { kind: 'temp-dir', path: dir });
    teardowns.push({ what: `delete ${dir}`, manual: `rm -rf ${dir}`, entry, run: () => removeOwnedTempDir(dir, journal.runId) });
  }

  // Events go to the running drill's timeline; between drills (platform start, hooks) to "(setup)".
  let drillSink: EventSink | undefined;
  let currentDrill = '(setup)';
  const setupSink: EventSink = (kind, message, subject) => folder.appendEvent('(setup)', { atMs: 0, kind, message, ...(subject ? { subject } : {}) });
  const route: EventSink = (kind, message, subject) => (drillSink ?? setupSink)(kind, message, subject);
  const platformEnv = {
    baseDir: loaded.baseDir,
    runDir: folder.dir,
    runId: journal.runId,
    journal,
    teardowns,
    needs: plan.drills.map((d) => d.needs),
    allowDestroy: o.allowDestroy,
    configSource: { file: loaded.fileLabel, lineOf: loaded.lineOf },
    ...(o.context ? { context: o.context } : {}),
    ...(o.onMutation ? { onMutation: o.onMutation } : {}),
  };
  // A dry run gets a hook runner and a platform that can only describe: nothing in it can run a command.
  const makeWorld = (): Promise<DrillActors> =>
    o.dryRun
      ? plannedWorld(config, platformEnv, route, o.onMutation)
      : liveWorld(config, platformEnv, {
          env: () => ({ GOLIVE_DRILL: currentDrill }),
          events: () => route,
          assumeYes: o.assumeYes,
          manualTimeoutMs: 30 * 60_000,
          journal,
          timeoutMs: config.hookTimeout,
          input: o.input,
          output: o.output,
        });
  let world: DrillActors;
  try {
    world = await makeWorld();
  } catch (err) {
    // A refused context or a bad kubeconfig: nothing was changed; what the run made so far is removed.
    for (const failure of await teardowns.unwind()) warn(failure);
    if (journal.pending().length === 0) registration?.forget();
    throw err;
  }
  const { platform } = world;
  platform?.setEventSink(route);
  const platformInfo: RunResult['platform'] = platform
    ? {
        kind: platform.info.kind,
        ...(platform.info.context ? { context: platform.info.context } : {}),
        ...(platform.info.namespace ? { namespace: platform.info.namespace } : {}),
      }
    : { kind: 'none' };
  folder.writeJson('run.json', {
    tool: { name: 'golive', version: VERSION },
    startedAt,
    node: process.version,
    os: `${process.platform} ${process.arch}`,
    configFile: loaded.file ?? null,
    // What a summary rebuilt after a crash needs to know of each drill (see results/partial-summary.ts).
    drills: plan.drills.map((d) => ({ name: d.name, kind: d.kind, defaultObjectives: d.defaultObjectives })),
    platform: platform?.info ?? null,
    config: redactConfig(config),
  });

  const results: DrillResult[] = [];
  let setupError: unknown;
  try {
    let targetUrl = config.target?.url;
    if (platform) {
      const started = await platform.start(signal);
      targetUrl ??= started.url;
    }
    if (!targetUrl) throw new GoliveError('GOLIVE_USAGE', 'no target: set target.url');
    const url = targetUrl;
    const explain = o.dryRun ? undefined : await createExplainer(platform, loaded.baseDir, warn);
    await hooks.onRunStart({
      name: config.name,
      resultsDir: folder.dir,
      platform: platformInfo,
      drills: plan.drills.map((d) => d.name),
      ...(platform ? { platformDescription: platform.info.description } : {}),
      targetUrl: redactUrl(url),
      ...(o.dryRun ? { dryRun: true } : {}),
    });
    for (const drill of plan.drills.map((d) => atTarget(d, url))) {
      if (signal.aborted) break;
      currentDrill = drill.name;
      // Every drill starts from the steady state, and says what it was (setup: not in the drill's figures).
      if (!o.dryRun) await platform?.restoreSteadyState?.(signal);
      const placement = !o.dryRun ? await platform?.placement?.() : undefined;
      if (placement) {
        const skew = placementSkew(placement);
        if (skew) {
          placement.skew = skew;
          warn(
            `${drill.name} starts from a skewed placement: ${skew}. Spread the pods first: kubectl rollout restart, or the descheduler's RemovePodsViolatingTopologySpreadConstraint`,
          );
        }
      }
      const env = {
        targetUrl: url,
        teardowns,
        onTeardownFailure: warn,
        explain,
        placement,
        ...(reader && prometheus && !o.dryRun
          ? {
              observe: async (window: { startEpochMs: number; endEpochMs: number }, sig: AbortSignal) =>
                (await reader.read(window, sig)).map((query, i) => ({ query, objective: reader.queries[i]!.objective })),
            }
          : {}),
        routeEvents: (sink: EventSink | undefined) => {
          drillSink = sink;
        },
      };
      // A dry run is the same runner over actors that only describe: no load, no waiting.
      const live = reader && prometheus?.live !== undefined && !o.dryRun ? reader.live(signal) : undefined;
      try {
        results.push(await runDrill(drill, hooks, folder, signal, { ...env, ...world, liveFigure: live ? () => live.latest() : undefined }));
      } finally {
        live?.stop();
      }
      currentDrill = '(setup)';
    }
  } catch (err) {
    setupError = err;
  } finally {
    for (const failure of await teardowns.unwind()) warn(failure);
    if (journal.pending().length === 0) registration?.forget();
    o.signal.removeEventListener('abort', onCallerAbort);
  }
  if (writeFailure !== undefined)
    throw new GoliveError(
      'GOLIVE_RUN_FAILED',
      `${writeFailure}; the run was stopped and everything it changed undone. Free space (or fix the folder) and run again; ${folder.dir} holds what was written.`,
    );
  if (setupError !== undefined && results.length === 0 && !signal.aborted) {
    if (setupError instanceof GoliveError) throw setupError;
    throw new GoliveError('GOLIVE_RUN_FAILED', (setupError as Error).message, { cause: setupError });
  }
  const runError = setupError !== undefined && !signal.aborted ? (setupError as Error).message : undefined;
  if (runError !== undefined) warn(`the run stopped after ${results.length} drill(s): ${runError}`);
  const interrupted = signal.aborted || results.length < plan.drills.length || setupError !== undefined;
  const result: RunResult = {
    version: 1,
    tool: { name: 'golive', version: VERSION },
    name: config.name,
    startedAt,
    finishedAt: new Date().toISOString(),
    passed: !o.dryRun && !interrupted && results.every((d) => d.passed),
    platform: platformInfo,
    drills: results,
    ...(runError !== undefined ? { error: runError } : {}),
    ...(o.dryRun ? { dryRun: { valid: !interrupted && results.every((d) => d.error === undefined) } } : {}),
  };
  try {
    folder.writeSummary(result);
  } catch (err) {
    throw new GoliveError(
      'GOLIVE_RUN_FAILED',
      `could not write ${path.join(folder.dir, 'summary.json')}: ${(err as Error).message}; the drills ran and what they changed is undone`,
      { cause: err },
    );
  }
  // A dry run measured nothing: its plan is in the terminal and summary.json, no report is drawn of it.
  const reports = o.dryRun ? [] : writeConfiguredReports(folder.dir, config.reporters, o.cwd, warn);
  await hooks.onRunEnd(result);
  return { result, resultsDir: folder.dir, interrupted, reports };
}

async function liveWorld(config: ResolvedConfig, env: Omit<PlatformEnvironment, 'hooks'>, hookOptions: HookOptions): Promise<DrillActors> {
  const hookRunner = createHookRunner(hookOptions);
  return { plans: false, hookRunner, platform: await createPlatform(config, { ...env, hooks: hookRunner }) };
}

async function plannedWorld(
  config: ResolvedConfig,
  env: Omit<PlatformEnvironment, 'hooks'>,
  events: EventSink,
  describe: ((description: string) => void) | undefined,
): Promise<DrillActors> {
  const hookRunner = createPlannedHookRunner({ events: () => events, describe: describe ?? (() => undefined) });
  return { plans: true, hookRunner, platform: await createPlannedPlatform(config, { ...env, hooks: hookRunner }) };
}

function register(dir: string, runId: string, warn: (message: string) => void): RegisteredRun | undefined {
  try {
    return registerRun(dir, runId);
  } catch (err) {
    warn(`could not register the run for golive recover (${(err as Error).message}): after a crash, run golive recover ${dir}`);
    return undefined;
  }
}
