/**
 * Config fields several parts of the config share: headers and response checks, objectives, the phases
 * every disruption drill has, hooks, manual steps and rollout changes. A leaf: the config schema, the drill
 * kinds (src/drills) and the platforms build on it.
 */
import { z } from 'zod';
import { parseJsonPath } from '../engine/json-path.js';
import { describeValue } from '../errors.js';
import type { Objectives } from '../analysis/objective-types.js';
import { duration, int, obj, oneOf, str, threshold } from './helpers.js';

export const headers = z.record(z.string(), str('a header value'), {
  error: (i) => `expected headers as an object of name: value, received ${describeValue(i.input)}`,
});

export const checkSchema = obj({
  /** Statuses that count as success. @default a 2xx or 304 Not Modified (a redirect is not, unless listed here or followed: `followRedirects`) */
  status: z
    .array(int('an HTTP status', 100, 599))
    .nonempty({ error: 'expected at least one status' })
    .optional(),
  /** The body must contain this text. */
  bodyContains: str('text the body must contain').optional(),
  /** JSON path → expected value, e.g. `{ '$.ok': true }`. */
  jsonPath: z
    .record(
      z.string().refine((p) => parseJsonPath(p) !== undefined, {
        error: (i) => `expected a JSON path like '$.items[0].id', received ${describeValue(i.input)}`,
      }),
      z.unknown(),
    )
    .optional(),
});

const latencyObjective = z.union([
  z.array(threshold),
  z.partialRecord(oneOf(['all', 'baseline', 'disruption', 'recovery', 'tail'] as const), z.array(threshold)),
]);

export const objectivesSchema = obj({
  /** Latency thresholds for the whole drill, or per phase: `{ disruption: ['p(95)<500'] }`. */
  latency: latencyObjective.optional(),
  /** Any other k6-style thresholds: `'rate(failed)<0.001'`, `'count(http_5xx)==0'`, `'rps>=190'`. */
  thresholds: z.array(threshold).optional(),
  maxErrorRate: z
    .number({ error: (i) => `expected a fraction between 0 and 1, received ${describeValue(i.input)}` })
    .min(0)
    .max(1)
    .optional(),
  maxFailedRequests: int('a number of requests', 0, Number.MAX_SAFE_INTEGER).optional(),
  /** Journeys that failed (a step failed, an extraction found nothing) or ran past their maxDuration. */
  maxFailedJourneys: int('a number of journeys', 0, Number.MAX_SAFE_INTEGER).optional(),
  maxDowntime: duration.optional(),
  maxDegraded: duration.optional(),
  maxRecoveryPoint: duration.optional(),
  maxRecoveryTime: duration.optional(),
  maxLostWrites: int('a number of writes', 0, Number.MAX_SAFE_INTEGER).optional(),
  /** Writes acknowledged before the backup began that the restore does not hold: the backup itself is incomplete. @default 0 (disaster-recovery) */
  maxLostBeforeBackup: int('a number of writes', 0, Number.MAX_SAFE_INTEGER).optional(),
  maxSetupTime: duration.optional(),
  /** Peak CPU of a pod as a fraction of its limit (kubernetes capacity). */
  maxCpuOfLimit: z.number().positive().optional(),
  /** Peak memory of a pod as a fraction of its limit (kubernetes capacity). */
  maxMemoryOfLimit: z.number().positive().optional(),
});

/** The schema's output is the analysis's own type, both ways: a field added on one side only does not compile. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const objectivesMatch: Same<Objectives, z.output<typeof objectivesSchema>> = true;
void objectivesMatch;

/** Phase lengths every disruption drill shares. */
export const phaseFields = {
  /** Steady load before the disruption. @default '5s' */
  baseline: duration.default(5000),
  /** Longest wait for the app to be healthy again after the disruption. @default '2m' */
  recovery: duration.default(120_000),
  /** Steady load after recovery, to see latency settle. @default '5s' */
  tail: duration.default(5000),
  objectives: objectivesSchema.prefault({}),
};

export const hook = obj({ run: str('a shell command') });
export const manual = obj({ manual: str('an instruction for the operator') });

export const change = z.union(
  [
    obj({ kind: z.literal('restart') }),
    obj({ kind: z.literal('env'), name: str('a variable name'), value: str('a value') }),
    obj({ kind: z.literal('image'), image: str('an image'), container: str('a container name').optional() }),
    hook,
  ],
  { error: () => "expected { kind: 'restart' }, { kind: 'env', name, value }, { kind: 'image', image } or { run: 'deploy command' }" },
);
