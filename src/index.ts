/** golive's programmatic API. */
import type { GoliveConfigInput } from './config/schema.js';

export { run, loadTest, type RunOptions, type RunOutcome, type LoadTestOptions, type TerminalPort } from './run/run.js';
export { resolveSettings, type Settings, type CliSetting } from './config/precedence.js';
export type { GoliveConfigInput, ResolvedConfig } from './config/schema.js';
export type * from './model/result.js';
export type { Reporter, RunInfo, DrillInfo, SecondProgress } from './report/reporter.js';
export { createTerminalReporter } from './report/terminal-reporter.js';
export { GoliveError, InputError } from './errors.js';

/** Identity function that gives a config file its types. */
export function defineConfig(config: GoliveConfigInput): GoliveConfigInput {
  return config;
}
