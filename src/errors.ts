/** Stable error codes: scripts and tests match on these, never on message text. */
export type GoliveErrorCode =
  | 'GOLIVE_CONFIG_INVALID'
  | 'GOLIVE_CONFIG_NOT_FOUND'
  | 'GOLIVE_USAGE'
  | 'GOLIVE_DATA_INVALID'
  | 'GOLIVE_RUN_FAILED'
  | 'GOLIVE_INTERRUPTED'
  | 'GOLIVE_PLATFORM_FAILED'
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
