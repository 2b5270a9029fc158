/** Building blocks for the config schema (a leaf: config, drills and platforms build their schemas from it): strict objects that name the allowed keys, and string formats. */
import { z } from 'zod';
import { describeValue } from '../errors.js';
import { parseThreshold, type Threshold } from '../analysis/threshold.js';
import { parseSeriesObjective, type SeriesObjective } from '../analysis/series.js';
import { parseDuration } from './duration.js';
import { parseRate } from './rate.js';

/** A strict object whose unknown-key error lists the allowed keys and the nearest one. */
export function obj<S extends z.ZodRawShape>(shape: S) {
  const allowed = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code === 'unrecognized_keys') {
        const keys = issue.keys.map((k) => {
          const near = nearest(k, allowed);
          return `"${k}"${near ? ` (did you mean "${near}"?)` : ''}`;
        });
        return `unknown key ${keys.join(', ')}; allowed here: ${allowed.join(', ')}`;
      }
      if (issue.code === 'invalid_type') {
        return issue.input === undefined ? 'required: expected an object' : `expected an object, received ${describeValue(issue.input)}`;
      }
      return undefined;
    },
  });
}

const EXPECTED_DURATION = "expected a duration like '30s', '1m30s' or '250ms'";

export const duration = z
  .union([z.string(), z.number()], { error: (i) => `${EXPECTED_DURATION}, received ${describeValue(i.input)}` })
  .transform((value, ctx) => {
    // A bare number is ambiguous (terminationGrace: 30 — seconds, or milliseconds?): ask for the unit.
    if (typeof value === 'number' && value !== 0) {
      ctx.addIssue({ code: 'custom', message: `a duration needs its unit: write '${value}s' or '${value}ms' (received the bare number ${value})` });
      return z.NEVER;
    }
    const ms = parseDuration(value);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: `${EXPECTED_DURATION}, received ${describeValue(value)}` });
      return z.NEVER;
    }
    return ms;
  });

/**
 * A union of objects told apart by their keys (a custom drill's `{ sleep }`, `{ run }`, …): an input with one
 * option's key is parsed as that option, so its errors are the option's own at their path (`waitUntilReady:
 * expected a duration …`), not the union's "expected one of …" (zod reports that when every option fails on a type).
 */
export function keyedUnion<const T extends readonly [z.ZodObject, ...z.ZodObject[]]>(options: T, expected: string) {
  const keysOf = options.map((o) => Object.keys(o.shape));
  const allKeys = keysOf.flat();
  return z.unknown().transform((value, ctx) => {
    const keys = value !== null && typeof value === 'object' && !Array.isArray(value) ? Object.keys(value) : [];
    const matching = options.filter((_, i) => keysOf[i]!.some((k) => keys.includes(k)));
    if (matching.length !== 1) {
      const stranger = keys.find((k) => !allKeys.includes(k));
      const near = stranger === undefined ? undefined : nearest(stranger, allKeys);
      const received = keys.length ? `{ ${keys.join(', ')} }${matching.length > 1 ? ': one action per item' : ''}` : describeValue(value);
      ctx.addIssue({ code: 'custom', message: `${expected}; received ${received}${near ? ` (did you mean "${near}"?)` : ''}` });
      return z.NEVER;
    }
    const parsed = matching[0]!.safeParse(value);
    if (parsed.success) return parsed.data;
    for (const issue of parsed.error.issues) ctx.addIssue({ ...issue });
    return z.NEVER;
  }) as unknown as z.ZodType<z.output<T[number]>, z.input<T[number]>>;
}

export const rate = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const rps = parseRate(value);
  if (rps === undefined) {
    ctx.addIssue({ code: 'custom', message: `expected a rate in requests per second like 200 or '200/s' (or '600/m'), received ${describeValue(value)}` });
    return z.NEVER;
  }
  return rps;
});

export const threshold = z
  .string({ error: (i) => `expected a threshold string like 'p(95)<300', received ${describeValue(i.input)}` })
  .transform((value, ctx): Threshold => {
    const parsed = parseThreshold(value);
    if (typeof parsed === 'string') {
      ctx.addIssue({ code: 'custom', message: `${parsed}, received ${describeValue(value)}` });
      return z.NEVER;
    }
    return parsed;
  });

export const seriesObjective = z
  .string({ error: (i) => `expected an objective string like 'max<0.8', received ${describeValue(i.input)}` })
  .transform((value, ctx): SeriesObjective => {
    const parsed = parseSeriesObjective(value);
    if (typeof parsed === 'string') {
      ctx.addIssue({ code: 'custom', message: `${parsed}, received ${describeValue(value)}` });
      return z.NEVER;
    }
    return parsed;
  });

export function int(what: string, min: number, max: number) {
  return z
    .number({ error: (i) => `expected ${what}: a whole number from ${min} to ${max}, received ${describeValue(i.input)}` })
    .int({ error: (i) => `expected ${what}: a whole number, received ${describeValue(i.input)}` })
    .min(min, { error: (i) => `expected ${what} of at least ${min}, received ${describeValue(i.input)}` })
    .max(max, { error: (i) => `expected ${what} of at most ${max}, received ${describeValue(i.input)}` });
}

export function str(what: string) {
  return z.string({ error: (i) => `expected ${what} (a string), received ${describeValue(i.input)}` });
}

export function bool(what: string) {
  return z.boolean({ error: (i) => `expected ${what}: true or false, received ${describeValue(i.input)}` });
}

export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, {
    error: (i) => {
      const near = typeof i.input === 'string' ? nearest(i.input, values) : undefined;
      return `expected one of ${values.map((v) => `'${v}'`).join(', ')}, received ${describeValue(i.input)}${near ? ` (did you mean '${near}'?)` : ''}`;
    },
  });
}

/** The closest candidate within a small edit distance, for "did you mean" hints. */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}
