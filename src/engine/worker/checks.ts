import { httpOutcome, type Outcome } from '../../model/outcome.js';
import { parseJsonPath, readJsonPath, type PathStep } from '../json-path.js';
import type { CheckSpec } from '../plan.js';

export type Judge = (status: number, body: Buffer | undefined) => Outcome;

/**
 * A success without a status check: a 2xx, or 304 Not Modified (the answer to a conditional request). A redirect
 * is not: a maintenance page or a login wall answers with one.
 */
function isSuccess(status: number): boolean {
  return (status >= 200 && status < 300) || status === 304;
}

/** Builds the function that turns a response into its outcome; `wantsBody` says whether it reads the body. */
export function createJudge(check: CheckSpec | undefined): { judge: Judge; wantsBody: boolean } {
  const allowed = check?.status ? new Set(check.status) : undefined;
  const contains = check?.bodyContains;
  const paths: { steps: PathStep[]; expected: string }[] = Object.entries(check?.jsonPath ?? {}).map(([path, expected]) => ({
    steps: parseJsonPath(path) ?? [],
    expected: JSON.stringify(expected),
  }));
  const wantsBody = contains !== undefined || paths.length > 0;

  function judge(status: number, body: Buffer | undefined): Outcome {
    if (allowed ? !allowed.has(status) : !isSuccess(status)) return status >= 300 ? httpOutcome(status) : 'check_failed';
    if (!wantsBody) return 'ok';
    const text = body ? body.toString('utf8') : '';
    if (contains !== undefined && !text.includes(contains)) return 'check_failed';
    if (paths.length > 0) {
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        return 'check_failed'; // a body that is not JSON fails a JSON check
      }
      for (const p of paths) if (JSON.stringify(readJsonPath(json, p.steps)) !== p.expected) return 'check_failed';
    }
    return 'ok';
  }
  return { judge, wantsBody };
}
