/** Exit codes (DESIGN.md §5). */
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
