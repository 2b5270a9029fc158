/**
 * The config schema: the single source of truth for what users write (`GoliveConfigInput`, via
 * `defineConfig`) and what golive runs with after defaults (`ResolvedConfig`).
 */
import { z } from 'zod';
import { describeValue } from '../errors.js';
import { parseJsonPath } from '../engine/json-path.js';
import { bool, duration, int, nearest, obj, oneOf, rate, seriesObjective, str, threshold } from '../schema/helpers.js';
import { checkSchema, headers } from '../schema/fields.js';
import { BUILT_IN_DRILL_NAMES, BUILT_IN_DRILLS, builtInDrill, customDrillKind } from '../drills/kinds.js';
import { DEFAULT_RATE, LOAD_DEFAULTS, OUTPUT_DEFAULTS } from './defaults.js';
import { localPlatformSchema } from '../platforms/local/schema.js';
import { kubernetesPlatformSchema } from '../platforms/kubernetes/schema.js';

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;
const EXECUTORS = ['constant-arrival-rate', 'ramping-arrival-rate', 'constant-vus', 'ramping-vus'] as const;

const url = str('a URL').refine((v) => /^https?:\/\//.test(v) && URL.canParse(v), {
  error: (i) => `expected an http:// or https:// URL, received ${describeValue(i.input)}`,
});

/** What a request and a journey's step both are. */
const requestFields = {
  /** Shown in reports. @default "METHOD url" */
  name: str('a request name').optional(),
  /** @default 'GET' */
  method: z
    .string()
    .transform((m) => m.toUpperCase())
    .pipe(oneOf(METHODS))
    .default(LOAD_DEFAULTS.method),
  /** A path on the target (`/cart?id={{seq}}`) or a full URL on the target's origin; in a journey, `{{vars.NAME}}` too. @default '/' */
  url: str('a path or URL').default('/'),
  headers: headers.default({}),
  /** A text body (a template). */
  body: str('a text body').optional(),
  /** A JSON body: strings inside may be templates. Sets `content-type: application/json`. */
  json: z.unknown().optional(),
  check: checkSchema.optional(),
  /** Overrides `load.timeout` for this request. */
  timeout: duration.optional(),
};

const oneBody = { error: 'give either body or json, not both' };

/** Redirects followed in a row when `followRedirects: true` (as k6's default). */
const DEFAULT_MAX_REDIRECTS = 10;
const redirectCount = int('a number of redirects to follow', 1, 20);

/** Which redirects a request follows: `true`, a bound, or `{ max, hosts }`; false or absent: none. */
const followRedirectsSchema = z
  .union(
    [
      bool('followRedirects'),
      redirectCount,
      obj({
        /** Redirects followed in a row; one more is `too_many_redirects`. @default 10 */
        max: redirectCount.default(DEFAULT_MAX_REDIRECTS),
        /** Other hosts redirects may lead to (`login.example.com`, or with a port `login.example.com:8443`), besides the target's origin. */
        hosts: z.array(str('a host name').transform((h) => h.toLowerCase())).default([]),
      }),
    ],
    { error: (i) => `expected true, a number of redirects to follow (1 to 20) or { max, hosts }, received ${describeValue(i.input)}` },
  )
  .transform((v) => (v === false ? undefined : v === true ? { max: DEFAULT_MAX_REDIRECTS, hosts: [] } : typeof v === 'number' ? { max: v, hosts: [] } : v));

const requestSchema = obj({
  ...requestFields,
  /** Relative share of the mix. @default 1 */
  weight: int('a weight', 1, 1000).default(1),
  /**
   * Follow redirects (301, 302, 303, 307, 308) on the target's origin: `true` (up to 10 in a row), a number, or
   * `{ max, hosts }` to follow to other hosts too. The final response is judged; its latency runs from the first
   * request's intended start. @default false: a redirect is the response, and fails unless `check.status` lists it
   */
  followRedirects: followRedirectsSchema.optional(),
}).refine((r) => r.body === undefined || r.json === undefined, oneBody);

const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Where a journey step takes a value for the later steps' `{{vars.NAME}}`. */
const extractorSchema = z.union(
  [
    obj({
      /** A field of the JSON body: `$.token`, `$.items[0].id`. */
      jsonPath: z.string().refine((p) => parseJsonPath(p) !== undefined, {
        error: (i) => `expected a JSON path like '$.token', received ${describeValue(i.input)}`,
      }),
    }),
    obj({
      /** A regular expression over the body: its first group (or the whole match). */
      regex: z.string().refine(isRegex, { error: (i) => `expected a regular expression, received ${describeValue(i.input)}: ${regexError(i.input)}` }),
    }),
    /** A response header (the first value). */
    obj({ header: str('a header name').transform((h) => h.toLowerCase()) }),
    /** A cookie in the journey's jar, after this response's Set-Cookie. */
    obj({ cookie: str('a cookie name') }),
  ],
  { error: () => `expected { jsonPath: '$.token' }, { regex: 'name="csrf" value="([^"]+)"' }, { header: 'location' } or { cookie: 'session' }` },
);

/** A pause after a step: a duration, or { min, max } drawn uniformly. */
const thinkSchema = z.union([
  duration.transform((ms) => ({ min: ms, max: ms })),
  obj({ min: duration, max: duration }).refine((t) => t.min <= t.max, { error: 'think: min must not be above max' }),
]);

const stepSchema = obj({
  ...requestFields,
  /** Values this response gives the later steps: `{ token: { jsonPath: '$.token' } }` → `{{vars.token}}`. */
  extract: z
    .record(
      z.string().refine((n) => VAR_NAME.test(n), { error: (i) => `expected a variable name (letters, digits, _), received ${describeValue(i.input)}` }),
      extractorSchema,
    )
    .optional(),
  /** Pause after this step, before the next one starts: '2s' or { min: '1s', max: '3s' }. */
  think: thinkSchema.optional(),
}).refine((r) => r.body === undefined || r.json === undefined, oneBody);

const journeySchema = obj({
  name: str('a journey name').regex(/^[^/\n]+$/, { error: 'expected a name without "/" or line breaks' }),
  /** Relative share of the journeys started. @default 1 */
  weight: int('a weight', 1, 1000).default(1),
  steps: z.array(stepSchema).nonempty({ error: 'expected at least one step' }).max(200),
  /** A cookie jar per journey (Set-Cookie kept and sent back, as a browser does). @default true */
  cookies: bool('cookies').default(true),
  /** A journey still running this long after its start is cut, and counted as failed. @default '2m' */
  maxDuration: duration.default(120_000),
});

function isRegex(source: string): boolean {
  return regexError(source) === undefined;
}

function regexError(source: unknown): string | undefined {
  try {
    new RegExp(String(source));
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

const stageSchema = obj({
  duration,
  /** Requests per second (arrival-rate executors) or virtual users (vus executors) at the end of the stage. */
  target: z.number({ error: (i) => `expected a number (rate or VUs), received ${describeValue(i.input)}` }).min(0),
});

/** A load test the team already has, run by its own tool as the load of every drill. */
const externalGenerator = z.discriminatedUnion(
  'kind',
  [
    obj({
      kind: z.literal('locust'),
      /** The locustfile (relative to the config). */
      locustfile: str('a locustfile path'),
      /** Locust users (a closed model). @default 10 */
      users: int('a number of users', 1, 100_000).default(10),
      /** Users started per second. @default users */
      spawnRate: z.number().positive().optional(),
      /** The locust binary. @default 'locust' */
      bin: str('a command').default('locust'),
    }),
    obj({
      kind: z.literal('k6'),
      /** The k6 script (relative to the config). */
      script: str('a script path'),
      /** Passed as `-e NAME=value`; GOLIVE_TARGET is always set to the target URL. */
      env: z.record(z.string(), z.string()).default({}),
      /** The k6 binary. @default 'k6' */
      bin: str('a command').default('k6'),
    }),
  ],
  { error: (i) => `expected { kind: 'locust', locustfile, users } or { kind: 'k6', script }, received ${describeValue(i.input)}` },
);

const checkedLoad = obj({
  /** Open model (arrival rate) or closed model (virtual users). @default 'constant-arrival-rate' */
  executor: oneOf(EXECUTORS).default('constant-arrival-rate'),
  /** Requests per second for `constant-arrival-rate`. @default {@link DEFAULT_RATE} (50) */
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
  duration: duration.prefault(LOAD_DEFAULTS.duration),
  /** Keep-alive connections in all (open model; with HTTP/2, the sessions of both models, streams multiplexed over them). @default 50 */
  connections: int('a number of connections', 1, 100_000).default(LOAD_DEFAULTS.connections),
  /** Requests in flight beyond which new starts are dropped (and counted). @default max(1000, rate × timeout) */
  maxInFlight: int('a number of requests', 1, 1_000_000).optional(),
  /** Per-request timeout, from the intended start. @default '10s' */
  timeout: duration.prefault(LOAD_DEFAULTS.timeout),
  /** Worker threads generating load. @default open model: one per 10,000 requests a second at the peak rate, up to the CPU cores; closed model: the CPU cores */
  threads: int('a number of threads', 1, 256).optional(),
  /** Run the load in separate worker processes, or as pods of a Kubernetes Indexed Job (scale-out). */
  workers: z
    .discriminatedUnion(
      'kind',
      [
        obj({
          kind: z.literal('processes'),
          /** How many workers share the schedule (worker i of n takes every n-th start). */
          count: int('a number of workers', 1, 1024),
        }),
        obj({
          kind: z.literal('kubernetes'),
          count: int('a number of workers', 1, 1024),
          /** Where the worker pods run. @default the platform's namespace */
          namespace: str('a namespace').optional(),
          /** @default a pinned public Node.js image running this golive version from npm */
          image: str('an image').optional(),
          /** The worker command in the image. @default ['npx', '--yes', 'golive@<this version>', 'worker'] */
          command: z.array(str('an argument')).nonempty().optional(),
          resources: z.record(z.string(), z.unknown()).optional(),
          nodeSelector: z.record(z.string(), z.string()).optional(),
          tolerations: z.array(z.unknown()).optional(),
          /** The shared start time is this far ahead: room for scheduling and image pulls. @default '60s' */
          startLead: duration.default(60_000),
        }),
      ],
      { error: () => "expected { kind: 'processes', count } or { kind: 'kubernetes', count, namespace?, image?, … }" },
    )
    .optional(),
  /** Headers on every request. */
  headers: headers.default({}),
  /** Independent requests, mixed by weight. @default [{ method: 'GET', url: '/' }] (without journeys) */
  requests: z.array(requestSchema).nonempty({ error: 'expected at least one request' }).max(100).optional(),
  /**
   * Users' journeys: steps in order, values taken from one response into the next request, a cookie jar and
   * think time. With journeys, `rate` counts journeys started per second; requests beside them are one-step journeys.
   */
  journeys: z.array(journeySchema).nonempty({ error: 'expected at least one journey' }).max(100).optional(),
  /** Rows for `{{data.FIELD}}`: a CSV (header row) or a JSON array of objects. */
  data: obj({
    file: str('a file path'),
    /** @default 'sequential' */
    order: oneOf(['sequential', 'random'] as const).default('sequential'),
  }).optional(),
  /**
   * Drive the load with the team's own Locust or k6 test instead of golive's engine: golive starts the tool
   * for each drill, reads its per-request results as they are written, and judges the drill from them.
   */
  generator: externalGenerator.optional(),
}).superRefine((load, ctx) => {
  const ramping = load.executor.startsWith('ramping');
  if (ramping && !load.stages)
    ctx.addIssue({ code: 'custom', path: ['stages'], message: `executor '${load.executor}' needs stages: [{ duration: '30s', target: 100 }, ...]` });
  if (!ramping && load.stages)
    ctx.addIssue({ code: 'custom', path: ['stages'], message: `stages apply to the ramping executors only, not '${load.executor}'` });
  if (load.executor === 'constant-vus' && load.vus === undefined)
    ctx.addIssue({ code: 'custom', path: ['vus'], message: "executor 'constant-vus' needs vus (how many virtual users)" });
  if (load.journeys && load.generator)
    ctx.addIssue({
      code: 'custom',
      path: ['generator'],
      message: "journeys run in golive's own engine and load.generator runs your tool instead: keep one of them",
    });
  if (load.executor.endsWith('vus') && load.rate !== undefined)
    ctx.addIssue({ code: 'custom', path: ['rate'], message: `rate applies to the arrival-rate executors; '${load.executor}' is the closed model (use vus)` });
});

/** The default rate applies to the executor it is for: a closed model keeps none. */
const loadSchema = checkedLoad.transform((load) =>
  load.executor === 'constant-arrival-rate' && load.rate === undefined ? { ...load, rate: DEFAULT_RATE } : load,
);

type BuiltInDrill = (typeof BUILT_IN_DRILLS)[number];
type BuiltInDrillsShape = { [D in BuiltInDrill as D['kind']]: z.ZodOptional<D['schema']> };

/** Each built-in drill's block, from the kinds' registry. */
const builtInDrills = Object.fromEntries(BUILT_IN_DRILLS.map((d) => [d.kind, d.schema.optional()])) as BuiltInDrillsShape;

/** The built-in drills by name, plus drills of the team's own under any other name (`kind: 'custom'`, `actions: [...]`). */
const drillsSchema = z
  .object(builtInDrills)
  .catchall(z.unknown())
  .transform((drills, ctx) => {
    const custom: Record<string, CustomDrillConfig> = {};
    for (const [name, value] of Object.entries(drills)) {
      if (builtInDrill(name)) continue;
      const kind = value && typeof value === 'object' ? (value as { kind?: unknown }).kind : undefined;
      if (kind !== customDrillKind.kind) {
        const near = nearest(name, BUILT_IN_DRILL_NAMES);
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: `unknown drill "${name}"${near ? ` (did you mean "${near}"?)` : ''}: the drills are ${BUILT_IN_DRILL_NAMES.join(', ')}; a drill of your own needs kind: '${customDrillKind.kind}' and actions: [...]`,
        });
        continue;
      }
      const parsed = customDrillKind.schema.safeParse(value);
      if (parsed.success) custom[name] = parsed.data;
      else for (const issue of parsed.error.issues) ctx.addIssue({ ...issue, path: [name, ...issue.path] });
    }
    const known = Object.fromEntries(Object.entries(drills).filter(([k]) => builtInDrill(k)));
    return { ...(known as { [K in keyof BuiltInDrillsShape]?: z.output<BuiltInDrillsShape[K]> }), custom };
  });

type CustomDrillConfig = z.output<typeof customDrillKind.schema>;

const prometheusQuery = obj({
  /** How reports name the series. */
  name: str('a name'),
  /** PromQL, evaluated with /api/v1/query_range over the drill's window. */
  query: str('a PromQL expression'),
  /** Shown after each value (`cores`, `MiB`, `%`). */
  unit: str('a unit').optional(),
  /** Judged over the whole drill for every label set: `max<0.8`, `avg<0.5`, `min>=1`, `last==0`. */
  objective: seriesObjective.optional(),
});

const observeSchema = obj({
  /** The platform's Prometheus: every query is read after each drill, on the drill's clock, and judged. */
  prometheus: obj({
    /** Prometheus's base URL (the one its UI is at): `http://prometheus.monitoring:9090`. */
    url,
    /** Sent with every query (`authorization: 'Bearer {{env.TOKEN}}'` style values are taken as written). */
    headers: z.record(z.string(), str('a header value')).optional(),
    /** Resolution of the series read back. @default '5s' */
    step: duration.default(5000),
    queries: z.array(prometheusQuery).default([]),
    /**
     * On a kubernetes platform, also read node CPU and memory, the workload's CPU throttling, restarts and
     * pending pods (each listed as not available when its metrics do not exist). @default true
     */
    defaults: bool('defaults').default(true),
    /**
     * The name of one query to show live in the progress line: read with an instant query every `step` (at
     * least 1 s) while the load runs — the only reads during the load, and only when asked.
     */
    live: str('the name of a query').optional(),
    /** Supporting systems (logging, ingress, a database): CPU and memory against their limits, restarts, throttling. */
    components: z.array(obj({ name: str('a name'), selector: str('a label selector like {namespace="logging"}') })).optional(),
  }).optional(),
});

const reporterName = oneOf(['terminal', 'json', 'html', 'junit', 'markdown'] as const);
const fileReporterName = oneOf(['json', 'html', 'junit', 'markdown'] as const);

export const configSchema = obj({
  /** Names the results folder and the reports. @default 'golive' */
  name: str('a name')
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, { error: 'expected letters, digits, ".", "_" or "-"' })
    .default('golive'),
  /** Where users' traffic enters. Optional with the local platform (its front proxy is the target). */
  target: obj({
    /** Where users' traffic enters: load takes the same path real users take. */
    url,
    /** Accept self-signed and otherwise untrusted TLS certificates. @default false */
    insecure: bool('insecure').default(false),
    /** Speak HTTP/2 (h2 over TLS, h2c over plain TCP). @default false */
    http2: bool('http2').default(false),
  }).optional(),
  /** Where drills disrupt the application. Without one, only `capacity` can run. */
  platform: z
    .discriminatedUnion('kind', [localPlatformSchema, kubernetesPlatformSchema], {
      error: (i) => `expected { kind: 'local', app: { … } } or { kind: 'kubernetes', namespace, workload: { kind, name } }, received ${describeValue(i.input)}`,
    })
    .optional(),
  load: loadSchema.prefault({}),
  /** Thresholds for a plain load test (`golive load`, and the capacity drill when it sets none). */
  thresholds: z.array(threshold).default([]),
  drills: drillsSchema.prefault({}),
  /**
   * What reports the run makes: 'terminal' (live progress and the results, when golive runs in a terminal),
   * and files in the results folder — 'json' (summary.json, always written), 'html', 'junit', 'markdown'; a
   * file report with `{ outputFile }` is also written there. @default ['terminal', 'json', 'html']
   */
  reporters: z
    .array(
      z.union([reporterName, z.tuple([fileReporterName, obj({ outputFile: str('a file path') })])], {
        error: (i) =>
          `expected 'terminal', 'json', 'html', 'junit', 'markdown', or [name, { outputFile: '…' }] for a file report, received ${describeValue(i.input)}`,
      }),
    )
    .default(['terminal', 'json', 'html']),
  output: obj({
    /** @default 'golive-results' */
    dir: str('a folder').default(OUTPUT_DEFAULTS.dir),
  }).prefault({}),
  /** Consent for drills that destroy the environment (disaster-recovery, redeploy). @default false */
  allowDestroy: bool('allowDestroy').default(false),
  /** How long a hook (`{ run: '…' }`, a build, a reboot command) may run before golive stops it and fails the drill. @default '10m' */
  hookTimeout: duration.default(600_000),
  /** What golive reads of the platform's monitoring during every drill. */
  observe: observeSchema.optional(),
}).superRefine((config, ctx) => {
  if (config.load.workers?.kind === 'kubernetes' && config.platform?.kind !== 'kubernetes') {
    ctx.addIssue({
      code: 'custom',
      path: ['load', 'workers', 'kind'],
      message: "load workers of kind 'kubernetes' run through the kubernetes platform: add platform: { kind: 'kubernetes', … } or use kind: 'processes'",
    });
  }
  if (!config.target && !config.platform) {
    ctx.addIssue({
      code: 'custom',
      path: ['target'],
      message: "required: expected { url: 'https://…' } (or a platform: { kind: 'local', … } whose proxy is the target)",
    });
  }
});

/** What users write: durations as strings, rates as numbers or strings, everything optional that has a default. */
export type GoliveConfigInput = z.input<typeof configSchema>;
/** The config after validation and defaults: milliseconds and requests per second. */
export type ResolvedConfig = z.output<typeof configSchema>;
export type ResolvedLoad = z.output<typeof loadSchema>;
export type ResolvedStep = z.output<typeof stepSchema>;
export type ResolvedRequest = z.output<typeof requestSchema>;
