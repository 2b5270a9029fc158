/**
 * One run from its plan to its result, as tasks: the results folder and journal (with the one teardown
 * stack for everything golive changes), the platform, the start, the drills in order; then the summary and
 * reports. The terminal and the reporters are ports given by the caller: the library never reaches for
 * process.stdout.
 */
import { existsSync, readdirSync, rmdirSync, rmSync } from 'node:fs';
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
import { runTasks, type Task } from './task-runner.js';

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
  return new Session(plan, o).run();
}

/** Drill names on the timeline for events between drills (the platform's start, hooks). */
const SETUP = '(setup)';

/**
 * A run as a short list of tasks, each with its teardown registered before its setup (task-runner.ts): the
 * state the tasks share lives here, set by the task that makes it.
 */
class Session {
  private readonly config: ResolvedConfig;
  /** The run stops on the caller's signal, or when its results can no longer be written (a full disk). */
  private readonly stop = new AbortController();
  private readonly hooks: ReturnType<typeof createMultiplexer>;
  private readonly startedAt = new Date().toISOString();
  private readonly results: DrillResult[] = [];
  private reader: PrometheusReader | undefined;
  private folder!: ResultsFolder;
  private journal!: Journal;
  private teardowns!: TeardownStack;
  private registration: RegisteredRun | undefined;
  private outputRootMade = false;
  /** The results folder, its journal and teardown stack exist. */
  private opened = false;
  private writeFailure: string | undefined;
  private actors!: DrillActors;
  private url!: string;
  private explain: ((d: DrillResult) => void) | undefined;
  private currentDrill = SETUP;
  /** Events go to the running drill's timeline; between drills to "(setup)". */
  private drillSink: EventSink | undefined;
  private readonly route: EventSink = (kind, message, subject) =>
    (this.drillSink ?? ((k, m, sub) => this.folder.appendEvent(SETUP, { atMs: 0, kind: k, message: m, ...(sub ? { subject: sub } : {}) })))(
      kind,
      message,
      subject,
    );

  constructor(
    private readonly plan: RunPlan,
    private readonly o: SessionOptions,
  ) {
    this.config = plan.loaded.config;
    this.hooks = createMultiplexer(o.reporters, o.warn);
  }

  private get signal(): AbortSignal {
    return this.stop.signal;
  }

  async run(): Promise<RunOutcome> {
    const ignored = ignoredConfigNote(this.plan.loaded);
    if (ignored) this.o.warn(ignored);
    const onCallerAbort = (): void => this.stop.abort();
    this.o.signal.addEventListener('abort', onCallerAbort, { once: true });
    if (this.o.signal.aborted) this.stop.abort();
    let failure: unknown;
    try {
      await runTasks(this, this.tasks(), this.o.warn);
    } catch (err) {
      failure = err;
    } finally {
      this.o.signal.removeEventListener('abort', onCallerAbort);
    }
    return this.finish(failure);
  }

  private tasks(): Task<Session>[] {
    return [
      // The platform's Prometheus answers and every query parses, before any results folder, platform or change.
      { title: 'the Prometheus check', setup: () => this.checkPrometheus() },
      { title: 'what earlier runs left behind', setup: () => this.recoverLeftovers() },
      { title: 'the results folder and journal', setup: () => this.openResults(), teardown: (_, failure) => this.closeResults(failure) },
      { title: "golive's own temp folders", setup: () => this.adoptTempDirs() },
      { title: 'the platform', setup: () => this.makeActors() },
      { title: 'run.json', setup: () => this.writeRunJson() },
      { title: 'the start', setup: () => this.start() },
      { title: 'the drills', setup: () => this.runDrills() },
    ];
  }

  private async checkPrometheus(): Promise<void> {
    const prometheus = this.config.observe?.prometheus;
    this.reader = prometheus ? new PrometheusReader(prometheus, allQueries(prometheus, this.config.platform)) : undefined;
    await this.reader?.check(this.signal);
  }

  private async recoverLeftovers(): Promise<void> {
    const { warn } = this.o;
    // A dry run undoes nothing either: it says what the next run would clean up.
    const leftovers = await recoverKnownRuns(this.outputRoot, PLATFORM_UNDOERS, { describeOnly: this.o.dryRun });
    for (const line of leftovers.pending) warn(`an earlier run did not finish; a run (or golive recover) would undo: ${line}`);
    for (const line of leftovers.undone) warn(`cleaned up after an earlier run that did not finish: ${line}`);
    for (const line of leftovers.failed) warn(`an earlier run left this behind and it could not be undone: ${line}`);
  }

  private get outputRoot(): string {
    return path.resolve(this.o.cwd, this.config.output.dir);
  }

  /** The results folder, its journal and the one teardown stack; the run is registered before any change, so `golive recover` finds it wherever --out put it. */
  private openResults(): void {
    this.outputRootMade = !existsSync(this.outputRoot);
    this.folder = new ResultsFolder(this.outputRoot, this.config.name, new Date(), (message) => {
      this.writeFailure = message;
      this.o.warn(`${message}: stopping the run (what was written is kept)`);
      this.stop.abort();
    });
    this.journal = new Journal(this.folder.dir);
    this.teardowns = new TeardownStack(this.journal);
    this.opened = true;
    if (!this.o.dryRun) this.registration = register(this.folder.dir, this.journal.runId, this.o.warn);
  }

  /**
   * Everything the run changed is undone (newest first). A run that failed before its first drill and changed
   * nothing (a refused context, a missing permission, an unreachable API server) leaves no results folder either.
   */
  private async closeResults(failure: unknown): Promise<void> {
    // The folder could not be made (a file where it should go, a full disk): nothing was opened.
    if (!this.opened) return;
    for (const message of await this.teardowns.unwind()) this.o.warn(message);
    if (this.journal.pending().length === 0) this.registration?.forget();
    const changedNothing = this.journal.entries().every((e) => e.action.kind === 'temp-dir');
    if (failure !== undefined && !this.signal.aborted && this.results.length === 0 && changedNothing) {
      // Only what this run made: its own folder, and the results root if it made that too and it is empty now.
      rmSync(this.folder.dir, { recursive: true, force: true });
      if (this.outputRootMade && readdirSync(this.outputRoot).length === 0) rmdirSync(this.outputRoot);
    }
  }

  /** Temp folders golive made before the run began (the demo's workspace): registered first, so undone last (replicas may run from them). */
  private adoptTempDirs(): void {
    const { journal } = this;
    for (const dir of this.o.ownTempDirs ?? []) {
      markOwned(dir, journal.runId);
      const entry = journal.record(`made ${dir}`, `rm -rf ${dir}`, { kind: 'temp-dir', path: dir });
      this.teardowns.push({ what: `delete ${dir}`, manual: `rm -rf ${dir}`, entry, run: () => removeOwnedTempDir(dir, journal.runId) });
    }
  }

  /** A dry run gets a hook runner and a platform that can only describe: nothing in it can run a command. */
  private async makeActors(): Promise<void> {
    const { o, plan, journal, config } = this;
    const env = {
      baseDir: plan.loaded.baseDir,
      runDir: this.folder.dir,
      runId: journal.runId,
      journal,
      teardowns: this.teardowns,
      needs: plan.drills.map((d) => d.needs),
      allowDestroy: o.allowDestroy,
      configSource: { file: plan.loaded.fileLabel, lineOf: plan.loaded.lineOf },
      ...(o.context ? { context: o.context } : {}),
      ...(o.onMutation ? { onMutation: o.onMutation } : {}),
    };
    this.actors = o.dryRun
      ? await plannedActors(config, env, this.route, o.onMutation)
      : await liveActors(config, env, {
          env: () => ({ GOLIVE_DRILL: this.currentDrill }),
          events: () => this.route,
          assumeYes: o.assumeYes,
          manualTimeoutMs: 30 * 60_000,
          journal,
          timeoutMs: config.hookTimeout,
          input: o.input,
          output: o.output,
        });
    this.actors.platform?.setEventSink(this.route);
  }

  private get platformInfo(): RunResult['platform'] {
    const platform = this.actors?.platform;
    if (!platform) return { kind: 'none' };
    const { kind, context, namespace } = platform.info;
    return { kind, ...(context ? { context } : {}), ...(namespace ? { namespace } : {}) };
  }

  private writeRunJson(): void {
    const { plan, config } = this;
    this.folder.writeJson('run.json', {
      tool: { name: 'golive', version: VERSION },
      startedAt: this.startedAt,
      node: process.version,
      os: `${process.platform} ${process.arch}`,
      configFile: plan.loaded.file ?? null,
      // What a summary rebuilt after a crash needs to know of each drill (see results/partial-summary.ts).
      drills: plan.drills.map((d) => ({ name: d.name, kind: d.kind, defaultObjectives: d.defaultObjectives })),
      platform: this.actors.platform?.info ?? null,
      config: redactConfig(config),
    });
  }

  /** The platform started (the local app up, the cluster's target and permissions checked), the target known, the reporters told. */
  private async start(): Promise<void> {
    const { platform } = this.actors;
    const started = platform ? await platform.start(this.signal) : {};
    const targetUrl = this.config.target?.url ?? started.url;
    if (!targetUrl) throw new GoliveError('GOLIVE_USAGE', 'no target: set target.url');
    this.url = targetUrl;
    this.explain = this.o.dryRun ? undefined : await createExplainer(platform, this.plan.loaded.baseDir, this.o.warn);
    await this.hooks.onRunStart({
      name: this.config.name,
      resultsDir: this.folder.dir,
      platform: this.platformInfo,
      drills: this.plan.drills.map((d) => d.name),
      ...(platform ? { platformDescription: platform.info.description } : {}),
      targetUrl: redactUrl(targetUrl),
      ...(this.o.dryRun ? { dryRun: true } : {}),
    });
  }

  private async runDrills(): Promise<void> {
    const { o, signal } = this;
    const { platform } = this.actors;
    const prometheus = this.config.observe?.prometheus;
    const reader = this.reader;
    for (const drill of this.plan.drills.map((d) => atTarget(d, this.url))) {
      if (signal.aborted) break;
      this.currentDrill = drill.name;
      // Every drill starts from the steady state, and says what it was (setup: not in the drill's figures).
      if (!o.dryRun) await platform?.restoreSteadyState?.(signal);
      const placement = !o.dryRun ? await platform?.placement?.() : undefined;
      const skew = placement ? placementSkew(placement) : undefined;
      if (placement && skew) {
        placement.skew = skew;
        o.warn(
          `${drill.name} starts from a skewed placement: ${skew}. Spread the pods first: kubectl rollout restart, or the descheduler's RemovePodsViolatingTopologySpreadConstraint`,
        );
      }
      // A dry run is the same runner over actors that only describe: no load, no waiting.
      const live = reader && prometheus?.live !== undefined && !o.dryRun ? reader.live(signal) : undefined;
      try {
        this.results.push(
          await runDrill(drill, this.hooks, this.folder, signal, {
            ...this.actors,
            targetUrl: this.url,
            teardowns: this.teardowns,
            onTeardownFailure: o.warn,
            explain: this.explain,
            placement,
            liveFigure: live ? () => live.latest() : undefined,
            routeEvents: (sink) => {
              this.drillSink = sink;
            },
            ...(reader && !o.dryRun
              ? {
                  observe: async (window: { startEpochMs: number; endEpochMs: number }, sig: AbortSignal) =>
                    (await reader.read(window, sig)).map((query, i) => ({ query, objective: reader.queries[i]!.objective })),
                }
              : {}),
          }),
        );
      } finally {
        live?.stop();
      }
      this.currentDrill = SETUP;
    }
  }

  /** The summary and the reports, after every teardown; an early failure that measured nothing is thrown instead. */
  private async finish(failure: unknown): Promise<RunOutcome> {
    const { o, results, plan, folder } = this;
    const aborted = this.signal.aborted;
    if (this.writeFailure !== undefined)
      throw new GoliveError(
        'GOLIVE_RUN_FAILED',
        `${this.writeFailure}; the run was stopped and everything it changed undone. Free space (or fix the folder) and run again; ${folder.dir} holds what was written.`,
      );
    if (failure !== undefined && (results.length === 0 || folder === undefined) && (!aborted || folder === undefined)) {
      if (failure instanceof GoliveError) throw failure;
      throw new GoliveError('GOLIVE_RUN_FAILED', (failure as Error).message, { cause: failure });
    }
    const runError = failure !== undefined && !aborted ? (failure as Error).message : undefined;
    if (runError !== undefined) o.warn(`the run stopped after ${results.length} drill(s): ${runError}`);
    const interrupted = aborted || results.length < plan.drills.length || failure !== undefined;
    const result: RunResult = {
      version: 1,
      tool: { name: 'golive', version: VERSION },
      name: this.config.name,
      startedAt: this.startedAt,
      finishedAt: new Date().toISOString(),
      passed: !o.dryRun && !interrupted && results.every((d) => d.passed),
      platform: this.platformInfo,
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
    const reports = o.dryRun ? [] : writeConfiguredReports(folder.dir, this.config.reporters, o.cwd, o.warn);
    await this.hooks.onRunEnd(result);
    return { result, resultsDir: folder.dir, interrupted, reports };
  }
}

async function liveActors(config: ResolvedConfig, env: Omit<PlatformEnvironment, 'hooks'>, hookOptions: HookOptions): Promise<DrillActors> {
  const hookRunner = createHookRunner(hookOptions);
  return { plans: false, hookRunner, platform: await createPlatform(config, { ...env, hooks: hookRunner }) };
}

async function plannedActors(
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
