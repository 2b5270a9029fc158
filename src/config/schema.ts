/**
 * The config schema: the single source of truth for what users write (`GoliveConfigInput`, via
 * `defineConfig`) and what golive runs with after defaults (`ResolvedConfig`).
 */
import { z } from 'zod';
import { describeValue } from '../errors.js';
import { parseJsonPath } from '../engine/json-path.js';
import { bool, duration, int, obj, oneOf, rate, str, threshold } from './schema-helpers.js';

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;
export const EXECUTORS = ['constant-arrival-rate', 'ramping-arrival-rate', 'constant-vus', 'ramping-vus'] as const;

const url = str('a URL').refine((v) => /^https?:\/\//.test(v) && URL.canParse(v), {
  error: (i) => `expected an http:// or https:// URL, received ${describeValue(i.input)}`,
});

const headers = z.record(z.string(), str('a header value'), {
  error: (i) => `expected headers as an object of name: value, received ${describeValue(i.input)}`,
});

const checkSchema = obj({
  /** Statuses that count as success. @default any status below 400 */
  status: z.array(int('an HTTP status', 100, 599)).nonempty({ error: 'expected at least one status' }).optional(),
  /** The body must contain this text. */
  bodyContains: str('text the body must contain').optional(),
  /** JSON path → expected value, e.g. `{ '$.ok': true }`. */
  jsonPath: z.record(
    z.string().refine((p) => parseJsonPath(p) !== undefined, {
      error: (i) => `expected a JSON path like '$.items[0].id', received ${describeValue(i.input)}`,
    }),
    z.unknown(),
  ).optional(),
});

const requestSchema = obj({
  /** Shown in reports. @default "METHOD url" */
  name: str('a request name').optional(),
  /** @default 'GET' */
  method: z.string().transform((m) => m.toUpperCase()).pipe(oneOf(METHODS)).default('GET'),
  /** A path on the target (`/cart?id={{seq}}`) or a full URL on the target's origin. @default '/' */
  url: str('a path or URL').default('/'),
  headers: headers.default({}),
  /** A text body (a template). */
  body: str('a text body').optional(),
  /** A JSON body: strings inside may be templates. Sets `content-type: application/json`. */
  json: z.unknown().optional(),
  /** Relative share of the mix. @default 1 */
  weight: int('a weight', 1, 1000).default(1),
  check: checkSchema.optional(),
  /** Overrides `load.timeout` for this request. */
  timeout: duration.optional(),
}).refine((r) => r.body === undefined || r.json === undefined, { error: 'give either body or json, not both' });

const stageSchema = obj({
  duration,
  /** Requests per second (arrival-rate executors) or virtual users (vus executors) at the end of the stage. */
  target: z.number({ error: (i) => `expected a number (rate or VUs), received ${describeValue(i.input)}` }).min(0),
});

export const loadSchema = obj({
  /** Open model (arrival rate) or closed model (virtual users). @default 'constant-arrival-rate' */
  executor: oneOf(EXECUTORS).default('constant-arrival-rate'),
  /** Requests per second for `constant-arrival-rate`. @default 50 */
  rate: rate.optional(),
  /** Rate at the start of `ramping-arrival-rate`. @default 0 */
  startRate: z.union([rate, z.literal(0)]).optional(),
  /** Virtual users for `constant-vus`; start VUs for `ramping-vus`. */
  vus: int('a number of virtual users', 1, 100_000).optional(),
  /** Ramps for the `ramping-*` executors. */
  stages: z.array(stageSchema).nonempty({ error: 'expected at least one stage' }).optional(),
  /** Pause between a virtual user's requests (closed model). @default '0s' */
  thinkTime: duration.default(0),
  /** @default '30s' */
  duration: duration.default(30_000),
  /** Keep-alive connections in all (open model). @default 50 */
  connections: int('a number of connections', 1, 100_000).default(50),
  /** Requests in flight beyond which new starts are dropped (and counted). @default max(1000, rate × timeout) */
  maxInFlight: int('a number of requests', 1, 1_000_000).optional(),
  /** Per-request timeout, from the intended start. @default '10s' */
  timeout: duration.default(10_000),
  /** Worker threads generating load. @default the number of CPU cores */
  threads: int('a number of threads', 1, 256).optional(),
  /** Headers on every request. */
  headers: headers.default({}),
  requests: z.array(requestSchema).nonempty({ error: 'expected at least one request' }).max(100).prefault([{}]),
  /** Rows for `{{data.FIELD}}`: a CSV (header row) or a JSON array of objects. */
  data: obj({
    file: str('a file path'),
    /** @default 'sequential' */
    order: oneOf(['sequential', 'random'] as const).default('sequential'),
  }).optional(),
}).superRefine((load, ctx) => {
  const ramping = load.executor.startsWith('ramping');
  if (ramping && !load.stages) ctx.addIssue({ code: 'custom', path: ['stages'], message: `executor '${load.executor}' needs stages: [{ duration: '30s', target: 100 }, ...]` });
  if (!ramping && load.stages) ctx.addIssue({ code: 'custom', path: ['stages'], message: `stages apply to the ramping executors only, not '${load.executor}'` });
  if (load.executor === 'constant-vus' && load.vus === undefined) ctx.addIssue({ code: 'custom', path: ['vus'], message: "executor 'constant-vus' needs vus (how many virtual users)" });
  if (load.executor.endsWith('vus') && load.rate !== undefined) ctx.addIssue({ code: 'custom', path: ['rate'], message: `rate applies to the arrival-rate executors; '${load.executor}' is the closed model (use vus)` });
});

const latencyObjective = z.union([z.array(threshold), z.record(oneOf(['all', 'baseline', 'disruption', 'recovery', 'tail'] as const), z.array(threshold))]);

export const objectivesSchema = obj({
  /** Latency thresholds for the whole drill, or per phase: `{ disruption: ['p(95)<500'] }`. */
  latency: latencyObjective.optional(),
  /** Any other k6-style thresholds: `'rate(failed)<0.001'`, `'count(http_5xx)==0'`, `'rps>=190'`. */
  thresholds: z.array(threshold).optional(),
  maxErrorRate: z.number({ error: (i) => `expected a fraction between 0 and 1, received ${describeValue(i.input)}` }).min(0).max(1).optional(),
  maxFailedRequests: int('a number of requests', 0, Number.MAX_SAFE_INTEGER).optional(),
  maxDowntime: duration.optional(),
  maxDegraded: duration.optional(),
  maxRecoveryPoint: duration.optional(),
  maxRecoveryTime: duration.optional(),
  maxLostWrites: int('a number of writes', 0, Number.MAX_SAFE_INTEGER).optional(),
  maxSetupTime: duration.optional(),
});

const capacityDrill = obj({
  /** Load duration. @default load.duration */
  duration: duration.optional(),
  objectives: objectivesSchema.prefault({}),
});

export const drillsSchema = obj({
  capacity: capacityDrill.optional(),
});

const reporterName = oneOf(['terminal', 'json', 'html', 'junit', 'markdown'] as const);

export const configSchema = obj({
  /** Names the results folder and the reports. @default 'golive' */
  name: str('a name').regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, { error: 'expected letters, digits, ".", "_" or "-"' }).default('golive'),
  target: obj({
    /** Where users' traffic enters: load takes the same path real users take. */
    url,
    /** Accept self-signed and otherwise untrusted TLS certificates. @default false */
    insecure: bool('insecure').default(false),
    /** Speak HTTP/2 (h2 over TLS, h2c over plain TCP). @default false */
    http2: bool('http2').default(false),
  }),
  load: loadSchema.prefault({}),
  /** Thresholds for a plain load test (`golive load`, and the capacity drill when it sets none). */
  thresholds: z.array(threshold).default([]),
  drills: drillsSchema.prefault({}),
  reporters: z.array(z.union([reporterName, z.tuple([reporterName, z.record(z.string(), z.unknown())])])).default(['terminal', 'json']),
  output: obj({
    /** @default 'golive-results' */
    dir: str('a folder').default('golive-results'),
  }).prefault({}),
});

/** What users write: durations as strings, rates as numbers or strings, everything optional that has a default. */
export type GoliveConfigInput = z.input<typeof configSchema>;
/** The config after validation and defaults: milliseconds and requests per second. */
export type ResolvedConfig = z.output<typeof configSchema>;
export type ResolvedLoad = z.output<typeof loadSchema>;
export type ResolvedObjectives = z.output<typeof objectivesSchema>;
