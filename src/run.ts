/**
 * The programmatic API: `run()` runs the drills a config describes; `loadTest()` is a plain load test.
 * The CLI is a thin layer over these.
 */
import path from 'node:path';
import { loadConfig, type ConfigOverrides, type LoadedConfig } from './config/load-config.js';
import type { GoliveConfigInput, ResolvedConfig } from './config/schema.js';
import { writeReports } from './report/write-reports.js';
import { toLoadPlan } from './config/to-plan.js';
import type { DrillSpec } from './drills/drill.js';
import { buildDrills, loadWorkers } from './drills/registry.js';
import { createHookRunner } from './drills/hooks.js';
import { GoliveError } from './errors.js';
import { createPlatform } from './platforms/create-platform.js';
import type { EventSink, Platform } from './platforms/platform.js';
import { audit, type AuditSources } from './audit/audit.js';
import { diagnose } from './audit/diagnose.js';
import { KubernetesPlatform } from './platforms/kubernetes/kubernetes-platform.js';
import { createJobFleet } from './platforms/kubernetes/job-fleet.js';
import type { LoadPlan } from './engine/plan.js';
import type { WorkerFleet } from './engine/worker-channel.js';
import { Journal } from './safety/journal.js';
import { recoverAll } from './safety/recover.js';
import { planDrill, runDrill } from './drills/run-drill.js';
import type { DrillResult, RunResult } from './model/result.js';
import { createMultiplexer, type Reporter } from './report/reporter.js';
import { ResultsFolder } from './results/results-folder.js';
import { VERSION } from './version.js';

export interface RunOptions {
  /** Working directory: where the config is looked for and results are written. @default process.cwd() */
  cwd?: string;
  /** Config file path; default: golive.config.* in cwd. */
  configFile?: string;
  /** A config object instead of a file. */
  config?: GoliveConfigInput;
  /** Run only these drills (in the configured order). */
  drills?: string[];
  /** Dotted-path settings over the file's (CLI flags, GOLIVE_* variables). */
  overrides?: ConfigOverrides;
  reporters?: Reporter[];
  /** Abort to stop the run: load stops, what ran is analysed and written. */
  signal?: AbortSignal;
  /** Called with warnings: reporters that failed, teardowns that left something behind. */
  onWarning?: (message: string) => void;
  /** Consent for drills that destroy the environment (disaster-recovery, redeploy). */
  allowDestroy?: boolean;
  /** Confirm manual steps without asking. */
  assumeYes?: boolean;
  /** Describe every cluster change the drills would make, make none, and run no load. */
  dryRun?: boolean;
  /** Overrides the kubernetes platform's context. */
  context?: string;
  /** Told each cluster change (made, or planned in a dry run), in words. */
  onMutation?: (description: string) => void;
}

export interface RunOutcome {
  result: RunResult;
  resultsDir: string;
  /** Report files written (HTML, JUnit, Markdown). */
  reports: string[];
  /** True when the run was stopped before every drill finished. */
  interrupted: boolean;
}

export async function run(options: RunOptions = {}): Promise<RunOutcome> {
  const cwd = options.cwd ?? process.cwd();
  const loaded = await loadConfig({
    cwd,
    ...(options.configFile !== undefined ? { file: options.configFile } : {}),
    ...(options.overrides ? { overrides: options.overrides } : {}),
    ...(options.config !== undefined ? { inline: options.config } : {}),
  });
  const only = options.drills ?? [];
  const allowDestroy = options.allowDestroy ?? false;
  // Every drill is built once before anything starts, so a bad config or a missing consent changes nothing.
  const kinds = buildDrills({ loaded, targetUrl: loaded.config.target?.url ?? PLACEHOLDER_TARGET, allowDestroy }, only).map((d) => d.kind);
  return executeRun(loaded, kinds, (targetUrl) => buildDrills({ loaded, targetUrl, allowDestroy }, only), options);
}

/** Stands in for the local platform's proxy URL when drills are checked before the platform starts. */
export const PLACEHOLDER_TARGET = 'http://127.0.0.1:1';

/** Options of a plain load test (`golive load URL`): a config in short form. */
export interface LoadTestOptions extends Omit<RunOptions, 'config' | 'configFile' | 'drills'> {
  config: GoliveConfigInput;
}

export async function loadTest(options: LoadTestOptions): Promise<RunOutcome> {
  const cwd = options.cwd ?? process.cwd();
  const loaded = await loadConfig({ cwd, inline: options.config, ...(options.overrides ? { overrides: options.overrides } : {}) });
  const spec: DrillSpec = {
    name: 'load',
    kind: 'load',
    plan: toLoadPlan(loaded.config, loaded.baseDir, undefined),
    workers: loadWorkers(loaded.config),
    objectives: {},
    thresholds: loaded.config.thresholds,
  };
  return executeRun(loaded, ['load'], () => [spec], options);
}

async function executeRun(loaded: LoadedConfig, drillKinds: string[], build: (targetUrl: string) => DrillSpec[], options: RunOptions): Promise<RunOutcome> {
  const cwd = options.cwd ?? process.cwd();
  const { config } = loaded;
  const signal = options.signal ?? new AbortController().signal;
  const warn = options.onWarning ?? ((m: string) => process.emitWarning(m));
  const hooks = createMultiplexer(options.reporters ?? [], warn);
  const outputRoot = path.resolve(cwd, config.output.dir);
  const leftovers = await recoverAll(outputRoot);
  for (const line of leftovers.undone) warn(`cleaned up after an earlier run that did not finish: ${line}`);
  for (const line of leftovers.failed) warn(`an earlier run left this behind and it could not be undone: ${line}`);
  const folder = new ResultsFolder(outputRoot, config.name);
  const journal = new Journal(folder.dir);
  const startedAt = new Date().toISOString();
  let currentDrill = '(setup)';
  // Between drills, events (platform start and stop, hooks) go to events.ndjson under "(setup)".
  const setupSink: EventSink = (kind, message, subject) => folder.appendEvent('(setup)', { atMs: 0, kind, message, ...(subject ? { subject } : {}) });
  let currentSink: EventSink = setupSink;
  const hookRunner = createHookRunner({
    env: () => ({ GOLIVE_DRILL: currentDrill }),
    events: () => currentSink,
    assumeYes: options.assumeYes ?? false,
    manualTimeoutMs: 30 * 60_000,
    input: process.stdin,
    output: process.stdout,
  });
  const platform = createPlatform(config, {
    baseDir: loaded.baseDir, runDir: folder.dir, runId: path.basename(folder.dir), journal, hooks: hookRunner,
    drillKinds, dryRun: options.dryRun ?? false, allowDestroy: options.allowDestroy ?? false,
    ...(options.context ? { context: options.context } : {}),
    ...(options.onMutation ? { onMutation: options.onMutation } : {}),
  });
  const platformInfo: RunResult['platform'] = platform
    ? { kind: platform.info.kind, ...(platform.info.context ? { context: platform.info.context } : {}), ...(platform.info.namespace ? { namespace: platform.info.namespace } : {}) }
    : { kind: 'none' };
  folder.writeJson('run.json', {
    tool: { name: 'golive', version: VERSION },
    startedAt,
    node: process.version,
    os: `${process.platform} ${process.arch}`,
    configFile: loaded.file ?? null,
    platform: platform?.info ?? null,
    config,
  });

  const results: DrillResult[] = [];
  let planned: string[] = [];
  let setupError: unknown;
  try {
    let targetUrl = config.target?.url;
    if (platform) {
      platform.setEventSink(setupSink);
      const started = await platform.start(signal);
      targetUrl ??= started.url;
    }
    if (!targetUrl) throw new GoliveError('GOLIVE_USAGE', 'no target: set target.url');
    const drills = build(targetUrl);
    planned = drills.map((d) => d.name);
    await hooks.onRunStart({ name: config.name, resultsDir: folder.dir, platform: platformInfo, drills: planned, ...(platform ? { platformDescription: platform.info.description } : {}), targetUrl });
    for (const drill of drills) {
      if (signal.aborted) break;
      currentDrill = drill.name;
      if (options.dryRun) {
        // No load, no waiting: the drill's steps run against a platform that only describes its changes.
        results.push(await planDrill(drill, hooks, { platform, hookRunner, targetUrl, onTeardownFailure: warn, setEventSink: (sink) => { currentSink = sink; platform?.setEventSink(sink); } }, signal));
        continue;
      }
      const setEventSink = (sink: EventSink): void => {
        currentSink = sink;
        platform?.setEventSink(sink);
      };
      const fleetFor = jobFleet(config, platform, journal, () => currentSink);
      results.push(await runDrill(drill, hooks, folder, signal, { platform, hookRunner, targetUrl, onTeardownFailure: warn, setEventSink, ...(fleetFor ? { fleetFor } : {}) }));
      setEventSink(setupSink);
    }
  } catch (err) {
    setupError = err;
  } finally {
    for (const failure of (await platform?.stop()) ?? []) warn(failure);
  }
  if (setupError !== undefined && results.length === 0 && !(signal.aborted)) {
    if (setupError instanceof GoliveError) throw setupError;
    throw new GoliveError('GOLIVE_RUN_FAILED', (setupError as Error).message, { cause: setupError });
  }
  if (!options.dryRun && results.some((d) => !d.passed)) await explainFailures(loaded, results, platform, warn);
  const interrupted = signal.aborted || results.length < planned.length || setupError !== undefined;
  const result: RunResult = {
    version: 1,
    tool: { name: 'golive', version: VERSION },
    name: config.name,
    startedAt,
    finishedAt: new Date().toISOString(),
    passed: !interrupted && results.every((d) => d.passed),
    platform: platformInfo,
    drills: results,
  };
  folder.writeSummary(result);
  const reports = writeConfiguredReports(folder.dir, config.reporters, cwd, warn);
  await hooks.onRunEnd(result);
  return { result, resultsDir: folder.dir, interrupted, reports };
}

/** Load workers as a Kubernetes Job, when the config asks for them: the kubernetes platform's client runs it. */
function jobFleet(config: ResolvedConfig, platform: Platform | undefined, journal: Journal, sink: () => EventSink): ((plan: LoadPlan, count: number) => WorkerFleet) | undefined {
  const w = config.load.workers;
  if (w?.kind !== 'kubernetes') return undefined;
  if (!(platform instanceof KubernetesPlatform) || config.platform?.kind !== 'kubernetes') return undefined;
  return createJobFleet(platform.client, {
    namespace: w.namespace ?? config.platform.namespace,
    // A pinned public Node image running this very golive version: worker and coordinator speak one protocol.
    image: w.image ?? `node:${process.versions.node}-slim`,
    command: w.command ?? ['npx', '--yes', `golive@${VERSION}`, 'worker'],
    startLeadMs: w.startLead,
    resources: w.resources, nodeSelector: w.nodeSelector, tolerations: w.tolerations,
  }, journal, sink);
}

/** Links each failed drill's outage windows to the audit findings that explain them (shown in every report). */
async function explainFailures(loaded: LoadedConfig, results: DrillResult[], platform: Platform | undefined, warn: (m: string) => void): Promise<void> {
  const p = loaded.config.platform;
  try {
    const sources: AuditSources = { cwd: loaded.baseDir };
    if (p?.kind === 'local') sources.local = { platform: p, file: loaded.fileLabel, lineOf: loaded.lineOf };
    else if (p?.kind === 'kubernetes' && platform instanceof KubernetesPlatform) sources.cluster = { client: platform.client, namespace: p.namespace, veleroNamespace: p.veleroNamespace };
    else return;
    const { findings } = await audit(sources);
    for (const d of results) d.findings.push(...diagnose(d, findings));
  } catch (err) {
    warn(`could not explain the failures with the audit: ${(err as Error).message}`);
  }
}

/** The file reports the config asks for, in the results folder and at their `outputFile`. A failure is a warning. */
function writeConfiguredReports(dir: string, reporters: ResolvedConfig['reporters'], cwd: string, warn: (m: string) => void): string[] {
  const written: string[] = [];
  for (const entry of reporters) {
    const [name, options] = typeof entry === 'string' ? [entry, {}] : entry;
    if (name !== 'html' && name !== 'junit' && name !== 'markdown') continue;
    try {
      written.push(...Object.values(writeReports(dir, [name])));
      if (options.outputFile) written.push(...Object.values(writeReports(dir, [name], cwd, { [name]: options.outputFile })));
    } catch (err) {
      warn(`the ${name} report could not be written: ${(err as Error).message}`);
    }
  }
  return written;
}
