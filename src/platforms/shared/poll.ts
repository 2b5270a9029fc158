/** Waiting for a condition the platform can only poll (a process state, an API object). */
import { sleep, throwIfAborted } from '../../abortable.js';
import { GoliveError } from '../../errors.js';

export interface PollOptions {
  timeoutMs: number;
  signal: AbortSignal;
  everyMs: number;
  /** What is awaited, for the timeout message: `timed out after … waiting for <what>`. */
  what: () => string;
}

/** Resolves once `done()` is true; throws GOLIVE_PLATFORM_FAILED at the deadline and InterruptedError on abort. */
export async function pollUntil(done: () => boolean | Promise<boolean>, o: PollOptions): Promise<void> {
  const deadline = Date.now() + o.timeoutMs;
  while (!(await done())) {
    throwIfAborted(o.signal, `waiting for ${o.what()}`);
    if (Date.now() > deadline) throw new GoliveError('GOLIVE_PLATFORM_FAILED', `timed out after ${formatWait(o.timeoutMs)} waiting for ${o.what()}`);
    await sleep(o.everyMs, o.signal, `waiting for ${o.what()}`);
  }
}

function formatWait(ms: number): string {
  return ms >= 10_000 ? `${Math.round(ms / 1000)} s` : `${ms} ms`;
}
