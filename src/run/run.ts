/**
 * The programmatic API: `run()` runs the drills a config describes; `loadTest()` is a plain load test.
 * The CLI is a thin layer over these; the caller gives the terminal (if any) and the reporters.
 */
import type { Settings } from '../config/precedence.js';
import type { GoliveConfigInput } from '../config/schema.js';
import { createTerminalReporter } from '../report/terminal-reporter.js';
import type { Reporter } from '../report/reporter.js';
import { planDrills, planLoadTest, type RunPlan } from './plan.js';
import { runSession, type RunOutcome } from './session.js';

export type { RunOutcome } from './session.js';

/** A terminal golive may use: live progress and results when `reporters` lists 'terminal', and an operator's answers to manual steps. */
export interface TerminalPort {
  output: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  input?: NodeJS.ReadableStream & { isTTY?: boolean };
}

export interface RunOptions {
  /** Working directory: where the config is looked for and results are written. @default process.cwd() */
  cwd?: string;
  /** Config file path; default: golive.config.* in cwd. */
  configFile?: string;
  /** A config object instead of a file. */
  config?: GoliveConfigInput;
  /** Run only these drills (in the configured order). */
  drills?: string[];
  /** Settings over the file's, in precedence order (`resolveSettings`: command line > GOLIVE_* > file). */
  settings?: Settings;
  /** Reporters besides the ones the config's `reporters` names. */
  reporters?: Reporter[];
  terminal?: TerminalPort;
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
  /** Temp folders golive made for this run before it began (`golive-…` in the OS temp folder): journalled, so `golive recover` removes them after a crash, and removed at the run's end. */
  ownTempDirs?: string[];
}

export async function run(options: RunOptions = {}): Promise<RunOutcome> {
  const cwd = options.cwd ?? process.cwd();
  const plan = await planDrills(
    { cwd, configFile: options.configFile, config: options.config, settings: options.settings },
    options.drills ?? [],
    options.allowDestroy ?? false,
  );
  return execute(plan, cwd, options);
}

/** Options of a plain load test (`golive load URL`): a config in short form. */
export interface LoadTestOptions extends Omit<RunOptions, 'config' | 'configFile' | 'drills'> {
  config: GoliveConfigInput;
}

export async function loadTest(options: LoadTestOptions): Promise<RunOutcome> {
  const cwd = options.cwd ?? process.cwd();
  const plan = await planLoadTest({ cwd, config: options.config, settings: options.settings, label: 'golive load' });
  return execute(plan, cwd, options);
}

function execute(plan: RunPlan, cwd: string, options: RunOptions): Promise<RunOutcome> {
  const wantsTerminal = plan.loaded.config.reporters.includes('terminal');
  const terminal = options.terminal && wantsTerminal ? [createTerminalReporter({ stream: options.terminal.output })] : [];
  return runSession(plan, {
    cwd,
    reporters: [...terminal, ...(options.reporters ?? [])],
    signal: options.signal ?? new AbortController().signal,
    warn: options.onWarning ?? ((m: string) => process.emitWarning(m)),
    allowDestroy: options.allowDestroy ?? false,
    assumeYes: options.assumeYes ?? false,
    dryRun: options.dryRun ?? false,
    context: options.context,
    onMutation: options.onMutation,
    ownTempDirs: options.ownTempDirs,
    input: options.terminal?.input,
    output: options.terminal?.output,
  });
}
