/**
 * The one teardown stack of a run: every change golive makes registers its undo here *before* the change
 * (journalled, so `golive recover` can undo it after a crash), and undoes run newest first — a drill's at
 * the drill's end (`unwind(mark)`), the platform's at the run's end, on error and on Ctrl-C alike.
 * A failed teardown is loud: it names what was left behind and how to undo it by hand.
 */
import type { Journal, JournalEntry } from './journal.js';

export interface Teardown {
  /** What will be undone, in words (for the failure message). */
  what: string;
  /** How to undo it by hand if this fails. */
  manual: string;
  run: () => Promise<void> | void;
  /** The journal entry of the change: marked undone once `run` succeeds. */
  entry?: JournalEntry;
}

/** Runs a registered teardown now, ahead of the unwind (an uncordon once the node is drained); at most once. */
export type RunNow = () => Promise<void>;

export class TeardownStack {
  private readonly stack: Teardown[] = [];

  constructor(private readonly journal?: Journal) {}

  /** Registers a teardown; the returned function runs it now (and takes it off the stack). */
  push(t: Teardown): RunNow {
    this.stack.push(t);
    return async () => {
      const i = this.stack.lastIndexOf(t);
      if (i < 0) return;
      this.stack.splice(i, 1);
      await t.run();
      if (t.entry) this.journal?.markUndone(t.entry);
    };
  }

  /** The current depth: `unwind(mark)` undoes only what was registered after it. */
  mark(): number {
    return this.stack.length;
  }

  /** Runs every teardown above `mark`, newest first; returns the failures (never throws). */
  async unwind(mark = 0): Promise<string[]> {
    const failures: string[] = [];
    while (this.stack.length > mark) {
      const t = this.stack.pop()!;
      try {
        await t.run();
        if (t.entry) this.journal?.markUndone(t.entry);
      } catch (err) {
        failures.push(`could not undo: ${t.what} (${(err as Error).message}). Left behind; to undo by hand: ${t.manual}`);
      }
    }
    return failures;
  }

  get size(): number {
    return this.stack.length;
  }
}
