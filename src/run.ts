/**
 * The programmatic API: `run()` runs the drills a config describes; `loadTest()` is a plain load test.
 * The CLI is a thin layer over these.
 */
import path from 'node:path';
import { loadConfig, type ConfigOverrides, type LoadedConfig } from './config/load-config.js';
import type { GoliveConfigInput } from './config/schema.js';
import { toLoadPlan } from './config/to-plan.js';
import type { DrillSpec } from './drills/drill.js';
import { buildDrills, defaultThreads } from './drills/registry.js';
import { runDrill } from './drills/run-drill.js';
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
  /** Called with warnings about reporters. */
  onWarning?: (message: string) => void;
}

export interface RunOutcome {
  result: RunResult;
  resultsDir: string;
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
  const drills = buildDrills(loaded, options.drills);
  return executeRun(loaded, drills, options);
}

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
    threads: defaultThreads(loaded.config),
    objectives: {},
    thresholds: loaded.config.thresholds,
  };
  return executeRun(loaded, [spec], options);
}

async function executeRun(loaded: LoadedConfig, drills: DrillSpec[], options: RunOptions): Promise<RunOutcome> {
  const cwd = options.cwd ?? process.cwd();
  const { config } = loaded;
  const signal = options.signal ?? new AbortController().signal;
  const warn = options.onWarning ?? ((m: string) => process.emitWarning(m));
  const hooks = createMultiplexer(options.reporters ?? [], warn);
  const folder = new ResultsFolder(path.resolve(cwd, config.output.dir), config.name);
  const platform: RunResult['platform'] = { kind: 'none' };
  const startedAt = new Date().toISOString();
  folder.writeJson('run.json', {
    tool: { name: 'golive', version: VERSION },
    startedAt,
    node: process.version,
    os: `${process.platform} ${process.arch}`,
    configFile: loaded.file ?? null,
    config,
    drills: drills.map((d) => d.name),
  });
  await hooks.onRunStart({ name: config.name, resultsDir: folder.dir, platform, drills: drills.map((d) => d.name) });

  const results: DrillResult[] = [];
  for (const drill of drills) {
    if (signal.aborted) break;
    results.push(await runDrill(drill, hooks, folder, signal));
  }
  const interrupted = signal.aborted || results.length < drills.length;
  const result: RunResult = {
    version: 1,
    tool: { name: 'golive', version: VERSION },
    name: config.name,
    startedAt,
    finishedAt: new Date().toISOString(),
    passed: !interrupted && results.every((d) => d.passed),
    platform,
    drills: results,
  };
  folder.writeSummary(result);
  await hooks.onRunEnd(result);
  return { result, resultsDir: folder.dir, interrupted };
}
