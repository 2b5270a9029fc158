/** Exit codes (README "CLI"), and the one mapping from what golive did to the code a process ends with. */
import { GoliveError, InputError, isUsageError } from '../errors.js';
import type { RunOutcome } from '../run/run.js';
import type { AuditOutcome } from './audit.js';
import type { CompareOutcome } from './compare.js';
import type { RecoverOutcome } from './recover.js';
import type { ReportOutcome } from './report.js';
import type { ValidateOutcome } from './validate.js';

export const EXIT = {
  /** Every drill met its objectives. */
  passed: 0,
  /** A drill missed an objective. */
  failed: 1,
  /** Bad usage or config: nothing was run. */
  usage: 2,
  /** The run could not complete (error, interrupted). */
  incomplete: 3,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** What a library call returns: `run()`, `loadTest()`, `validate()`, `report()`, `compare()`, `audit()`, `recover()`. */
export type Outcome = RunOutcome | ValidateOutcome | ReportOutcome | CompareOutcome | AuditOutcome | RecoverOutcome;

/** The exit code the CLI ends with for an outcome: `process.exitCode = exitCodeOf(await run())`. */
export function exitCodeOf(outcome: Outcome): ExitCode {
  if ('result' in outcome) {
    if (outcome.interrupted) return EXIT.incomplete;
    // A dry run succeeds when every drill could be planned: there is nothing to pass or fail yet.
    if (outcome.result.dryRun) return outcome.result.dryRun.valid ? EXIT.passed : EXIT.incomplete;
    if (outcome.result.drills.some((d) => d.error !== undefined)) return EXIT.incomplete;
    return outcome.result.passed ? EXIT.passed : EXIT.failed;
  }
  // A drill that ran in only one of the runs fails the comparison as a regression does.
  if ('comparison' in outcome) return outcome.comparison.passed ? EXIT.passed : EXIT.failed;
  if ('findings' in outcome) return outcome.failed ? EXIT.failed : EXIT.passed;
  if ('undone' in outcome) return outcome.failed.length > 0 ? EXIT.incomplete : EXIT.passed;
  return EXIT.passed; // a config validated, reports written: what fails throws
}

/** The exit code for what a library call threw: bad input or usage is 2, anything else 3. */
export function exitCodeOfError(err: unknown): ExitCode {
  if (err instanceof InputError) return EXIT.usage;
  if (err instanceof GoliveError && isUsageError(err)) return EXIT.usage;
  return EXIT.incomplete;
}
