/**
 * Runs a run with the process's ways of ending handled: the first Ctrl-C, SIGTERM, SIGHUP (terminal
 * closed, ssh dropped) or SIGPIPE, a closed output (EPIPE or EIO on stdout or stderr: `golive demo | head`)
 * and an uncaught error all stop the run cleanly — load stops, changes are undone, results written — and
 * a second signal exits at once. Whatever cannot be undone in time is in the journal `golive recover` reads.
 */
import type { RunOutcome } from '../run/run.js';
import { EXIT, exitCodeOf, type ExitCode } from '../api/exit-codes.js';
import type { CliIo } from './io.js';

const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGPIPE'] as const;
/** After an uncaught error, how long the teardown may take before golive exits anyway (the journal has the rest). */
const CRASH_TEARDOWN_MS = 60_000;

export async function execute(io: CliIo, start: (signal: AbortSignal) => Promise<RunOutcome>): Promise<ExitCode> {
  const controller = new AbortController();
  let interrupts = 0;
  const stop = (why: string): void => {
    interrupts++;
    if (interrupts === 1) {
      io.stderr.write(`\nstopping (${why}): finishing requests in flight, undoing changes and writing results (Ctrl-C again to quit at once)\n`);
      controller.abort();
    }
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    if (interrupts > 0 && signal !== 'SIGPIPE') process.exit(EXIT.incomplete);
    stop(signal);
  };
  // A closed output is not a second Ctrl-C: nobody reads what golive writes, so it stops as on SIGHUP.
  const output = watchOutput(io, (why) => stop(why));
  const onCrash = (err: unknown): void => {
    io.stderr.write(`golive: Internal error: ${(err as Error)?.stack ?? String(err)}\n`);
    stop('an internal error');
    setTimeout(() => {
      io.stderr.write('golive: the teardown did not finish in time; `golive recover` undoes what is left\n');
      process.exit(EXIT.incomplete);
    }, CRASH_TEARDOWN_MS).unref();
  };
  for (const s of STOP_SIGNALS) process.on(s, onSignal);
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  try {
    const outcome = await start(controller.signal);
    io.stdout.write(`results: ${outcome.resultsDir}\n`);
    for (const file of outcome.reports) io.stdout.write(`report:  ${file}\n`);
    return exitCodeOf(outcome);
  } finally {
    for (const s of STOP_SIGNALS) process.off(s, onSignal);
    process.off('uncaughtException', onCrash);
    process.off('unhandledRejection', onCrash);
    output.release();
  }
}

/** Output errors golive takes as "nobody reads this any more". */
const GONE = new Set(['EPIPE', 'EIO', 'ECONNRESET', 'ERR_STREAM_DESTROYED']);

/**
 * Listens for the output going away. Once it has, later writes fail too: their errors are swallowed for
 * the rest of the process, so the teardown and the results folder are never cut short by a write.
 */
function watchOutput(io: CliIo, onGone: (why: string) => void): { release(): void } {
  let gone = false;
  const streams = [
    { name: 'stdout', stream: io.stdout },
    { name: 'stderr', stream: io.stderr },
  ];
  const listeners = streams.map(({ name, stream }) => {
    const listener = (err: NodeJS.ErrnoException): void => {
      if (gone) return;
      gone = true;
      onGone(`${name} closed: ${GONE.has(err.code ?? '') ? err.code : err.message}`);
    };
    stream.on('error', listener);
    return () => stream.off('error', listener);
  });
  return {
    release() {
      if (!gone) for (const off of listeners) off();
      // else: the listeners stay, so the last writes (results: …) cannot crash the process.
    },
  };
}
