/**
 * Runs a run with signal handling: the first Ctrl-C, SIGTERM or SIGHUP (terminal closed, ssh dropped)
 * stops the run cleanly — load stops, changes are undone, results written — and a second one exits now.
 */
import type { RunOutcome } from '../run/run.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import type { CliIo } from './io.js';

const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export async function execute(io: CliIo, start: (signal: AbortSignal) => Promise<RunOutcome>): Promise<ExitCode> {
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    interrupts++;
    if (interrupts === 1) {
      io.stderr.write(`\nstopping (${signal}): finishing requests in flight, undoing changes and writing results (Ctrl-C again to quit at once)\n`);
      controller.abort();
    } else {
      process.exit(EXIT.incomplete);
    }
  };
  for (const s of STOP_SIGNALS) process.on(s, onSignal);
  try {
    const outcome = await start(controller.signal);
    io.stdout.write(`results: ${outcome.resultsDir}\n`);
    for (const file of outcome.reports) io.stdout.write(`report:  ${file}\n`);
    if (outcome.interrupted) return EXIT.incomplete;
    // A dry run succeeds when every drill could be planned: there is nothing to pass or fail yet.
    if (outcome.result.dryRun) return outcome.result.dryRun.valid ? EXIT.passed : EXIT.incomplete;
    if (outcome.result.drills.some((d) => d.error !== undefined)) return EXIT.incomplete;
    return outcome.result.passed ? EXIT.passed : EXIT.failed;
  } finally {
    for (const s of STOP_SIGNALS) process.off(s, onSignal);
  }
}
