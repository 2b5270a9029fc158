/**
 * A long task's progress for stderr: silent while the task is quick, then a plain line every few seconds
 * (no redraws, so CI logs stay readable).
 */
export interface Progress {
  /** Where the task is, at most one line every `everyMs`; `describe` is called only when a line is due. */
  step(describe: () => string): void;
  /** The task moves on to another phase: a line whenever the task has been slow enough to speak at all. */
  phase(text: string): void;
}

export interface ProgressOptions {
  /** Nothing is written before this much time has passed. @default 2000 */
  quietMs?: number;
  /** @default 2000 */
  everyMs?: number;
}

export function createProgress(write: (line: string) => void, now: () => number, { quietMs = 2000, everyMs = 2000 }: ProgressOptions = {}): Progress {
  const start = now();
  let lastLine: number | undefined;
  const due = (t: number): boolean => t - start >= quietMs;
  return {
    step(describe) {
      const t = now();
      if (!due(t) || (lastLine !== undefined && t - lastLine < everyMs)) return;
      lastLine = t;
      write(describe());
    },
    phase(text) {
      const t = now();
      if (!due(t)) return;
      lastLine = t;
      write(text);
    },
  };
}
