/** Stable error codes: scripts and tests match on these, never on message text. */
export type GoliveErrorCode =
  | 'GOLIVE_CONFIG_INVALID'
  | 'GOLIVE_CONFIG_NOT_FOUND'
  | 'GOLIVE_USAGE'
  | 'GOLIVE_DATA_INVALID'
  | 'GOLIVE_RUN_FAILED'
  | 'GOLIVE_INTERRUPTED'
  | 'GOLIVE_PLATFORM_FAILED'
  /** The app's own setup step (a build, a deploy command) failed: the drill failed, judged, not the run. */
  | 'GOLIVE_SETUP_FAILED'
  /** The environment lacks what a drill needs (Velero, zone labels, a second zone): found at run time, not in the input. */
  | 'GOLIVE_PLATFORM_UNSUPPORTED'
  | 'GOLIVE_K8S_FORBIDDEN'
  | 'GOLIVE_K8S_NOT_FOUND'
  | 'GOLIVE_K8S_UNREACHABLE'
  | 'GOLIVE_K8S_FAILED';

export class GoliveError extends Error {
  readonly code: GoliveErrorCode;
  constructor(code: GoliveErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'GoliveError';
    this.code = code;
  }
}

/** The run was stopped (Ctrl-C, SIGTERM, SIGHUP) while this step waited or worked. */
export class InterruptedError extends GoliveError {
  constructor(what?: string) {
    super('GOLIVE_INTERRUPTED', what ? `interrupted while ${what}` : 'interrupted');
    this.name = 'InterruptedError';
  }
}

/** Codes that mean the user's input or command line was wrong: nothing ran (exit 2). */
const USAGE_CODES: ReadonlySet<GoliveErrorCode> = new Set(['GOLIVE_USAGE', 'GOLIVE_CONFIG_INVALID', 'GOLIVE_CONFIG_NOT_FOUND', 'GOLIVE_DATA_INVALID']);

export function isUsageError(err: unknown): boolean {
  return err instanceof GoliveError && USAGE_CODES.has(err.code);
}

/** One problem in the user's input: where it is, what was found, what is allowed. */
export interface InputProblem {
  /** Dotted path inside the file, e.g. `load.requests.0.method`; empty for the whole file. */
  path: string;
  message: string;
  line?: number;
}

/** Bad user input (config, flags, data files). Carries every problem found, not just the first. */
export class InputError extends GoliveError {
  readonly file: string | undefined;
  readonly problems: InputProblem[];
  constructor(code: GoliveErrorCode, file: string | undefined, problems: InputProblem[]) {
    super(code, formatProblems(file, problems));
    this.name = 'InputError';
    this.file = file;
    this.problems = problems;
  }
}

function formatProblems(file: string | undefined, problems: InputProblem[]): string {
  const where = file ?? 'input';
  const head = problems.length === 1 ? `${where} has a problem:` : `${where} has ${problems.length} problems:`;
  const lines = problems.map((p) => {
    const at = [p.line !== undefined ? `line ${p.line}` : '', p.path].filter(Boolean).join(', ');
    return `  ✖ ${at ? `${at}: ` : ''}${p.message}`;
  });
  return [head, ...lines].join('\n');
}

export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `an array (${value.length} items)`;
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'symbol') return value.toString();
  return typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint' ? value.toString() : typeof value;
}
