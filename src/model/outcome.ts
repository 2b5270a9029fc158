/**
 * Outcome classes (DESIGN.md §3). HTTP errors carry their code (`http_503`); the others are fixed names.
 * `dropped` is a start the generator missed: neither a success nor a failure of the target.
 */
type FixedOutcome =
  | 'ok'
  | 'timeout'
  | 'connect_refused'
  | 'connection_reset'
  | 'dns'
  | 'tls'
  | 'protocol_error'
  | 'check_failed'
  | 'too_many_redirects'
  | 'error'
  | 'dropped';
export type Outcome = FixedOutcome | `http_${number}`;

export type OutcomeCounts = Record<string, number>;

export function httpOutcome(status: number): Outcome {
  return `http_${status}`;
}

/** A failed request: anything the target did wrong (not ok, not a start the generator missed). */
export function isFailure(outcome: string): boolean {
  return outcome !== 'ok' && outcome !== 'dropped';
}

/** Does `outcome` belong to the class named in a threshold (`failed`, `http_5xx`, `http_503`, `timeout`)? */
export function outcomeMatches(outcome: string, className: string): boolean {
  if (className === 'failed') return isFailure(outcome);
  if (className === outcome) return true;
  const family = /^http_([1-5])xx$/.exec(className);
  return family !== null && outcome.startsWith(`http_${family[1]}`) && outcome.length === 8;
}

export function addCounts(into: OutcomeCounts, from: Readonly<OutcomeCounts>): OutcomeCounts {
  for (const key in from) into[key] = (into[key] ?? 0) + (from[key] ?? 0);
  return into;
}
