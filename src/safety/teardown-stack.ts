/**
 * Teardowns registered before their setups run, undone in reverse order on normal end, error and Ctrl-C.
 * A failed teardown is loud: it names what was left behind and how to undo it by hand.
 */
export interface Teardown {
  /** What will be undone, in words (for the failure message). */
  what: string;
  /** How to undo it by hand if this fails. */
  manual: string;
  run: () => Promise<void> | void;
}

export class TeardownStack {
  private readonly stack: Teardown[] = [];

  /** Registers a teardown; returns a function that runs it now (and removes it). */
  push(t: Teardown): () => Promise<void> {
    this.stack.push(t);
    return async () => {
      const i = this.stack.lastIndexOf(t);
      if (i < 0) return;
      this.stack.splice(i, 1);
      await t.run();
    };
  }

  /** Runs every teardown, newest first; returns the failures (never throws). */
  async unwind(): Promise<string[]> {
    const failures: string[] = [];
    while (this.stack.length > 0) {
      const t = this.stack.pop()!;
      try {
        await t.run();
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
