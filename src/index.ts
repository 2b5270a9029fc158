/**
 * golive's programmatic API: what the CLI runs, with the I/O given by the caller (nothing here writes to
 * process.stdout). Each call returns an outcome; `exitCodeOf` maps it to the code the CLI would exit with.
 */
export { run, loadTest, type RunOptions, type RunOutcome, type LoadTestOptions, type TerminalPort } from './run/run.js';
export { validate, type ValidateOptions, type ValidateOutcome } from './api/validate.js';
export { report, type ReportOptions, type ReportOutcome, type FileReport } from './api/report.js';
export { compare, type CompareOptions, type CompareOutcome, type Comparison, type Tolerances } from './api/compare.js';
export { audit, type AuditOptions, type AuditOutcome, type AuditFinding, type Severity } from './api/audit.js';
export { recover, type RecoverOptions, type RecoverOutcome } from './api/recover.js';
export { EXIT, exitCodeOf, exitCodeOfError, type ExitCode, type Outcome } from './api/exit-codes.js';
export { resolveSettings, type Settings, type CliSetting } from './config/precedence.js';
export { defineConfig } from './config/define-config.js';
export type { GoliveConfigInput, ResolvedConfig } from './config/schema.js';
export type * from './model/result.js';
export type { Reporter, RunInfo, DrillInfo, SecondProgress } from './report/reporter.js';
export { createTerminalReporter } from './report/terminal-reporter.js';
export { GoliveError, InputError } from './errors.js';
