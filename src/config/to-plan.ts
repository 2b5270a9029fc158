/** Turns the validated config into the load plan the workers run. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { InputError, type InputProblem } from '../errors.js';
import type { DataPlan, ExternalGenerator, JourneySpec, LoadModel, LoadPlan, RequestSpec, StepSpec } from '../engine/plan.js';
import { compileTemplate, envNamesIn } from '../engine/template.js';
import { DEFAULT_RATE } from './defaults.js';
import { readDataFile } from './data-file.js';
import type { ResolvedConfig, ResolvedLoad, ResolvedRequest, ResolvedStep } from './schema.js';

/** A request or a journey step as the config holds it (a step has no weight, nor followRedirects). */
type RequestInput = Omit<ResolvedStep, 'extract' | 'think'> & Partial<Pick<ResolvedRequest, 'weight' | 'followRedirects'>>;

const DEFAULT_REQUEST: RequestInput = { method: 'GET', url: '/', headers: {} };

export interface PlanOptions {
  /** Where load goes when the platform provides it (the local front proxy); default target.url. */
  targetUrl?: string;
  /** Run until stopped (drills) instead of for `load.duration`. */
  openEnded?: boolean;
  /** Overrides load.duration. */
  durationMs?: number;
  env?: NodeJS.ProcessEnv;
  /** The line of a dotted path in the config file, for the errors found here. */
  lineOf?: (path: string) => number | undefined;
}

// defaults.ts holds the default rate and the schema applies it; run/plan.ts reads it from here.
export { DEFAULT_RATE } from './defaults.js';

export function toLoadPlan(config: ResolvedConfig, baseDir: string, file: string | undefined, options: PlanOptions = {}): LoadPlan {
  const load = config.load;
  const url = options.targetUrl ?? config.target?.url;
  if (!url) throw new InputError('GOLIVE_CONFIG_INVALID', file, [{ path: 'target.url', message: 'required: where should the load go?' }]);
  const origin = new URL(url);
  const durationMs = options.durationMs ?? load.duration;
  const problems: InputProblem[] = [];

  const data: DataPlan | undefined = load.data ? { rows: readDataFile(path.resolve(baseDir, load.data.file)), order: load.data.order } : undefined;
  const dataFields = data ? Object.keys(data.rows[0] ?? {}) : undefined;

  const env: Record<string, string> = {};
  const sourceEnv = options.env ?? process.env;
  const specOf = (r: RequestInput, at: string, vars: readonly string[] | undefined): RequestSpec => {
    if (/^https?:\/\//.test(r.url) && !r.url.startsWith(origin.origin)) {
      problems.push({ path: `${at}.url`, message: `requests go to the target's origin ${origin.origin}; received ${r.url}` });
    }
    const headers: Record<string, string> = { ...basicAuthOf(origin), ...load.headers, ...r.headers };
    let body: string | undefined = r.body;
    if (r.json !== undefined) {
      body = JSON.stringify(r.json);
      if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
    }
    const spec: RequestSpec = {
      name: r.name ?? `${r.method} ${r.url}`,
      method: r.method,
      path: requestPath(origin, r.url),
      headers,
      weight: r.weight ?? 1,
      timeoutMs: r.timeout ?? load.timeout,
      ...(body !== undefined ? { body } : {}),
      ...(r.check ? { check: r.check } : {}),
      ...(r.followRedirects ? { followRedirects: r.followRedirects } : {}),
    };
    checkTemplates(spec, at, r.json !== undefined, vars);
    return spec;
  };
  const checkTemplates = (r: RequestSpec, at: string, isJson: boolean, vars: readonly string[] | undefined): void => {
    const templates: [string, string][] = [[`${at}.url`, r.path], ...Object.entries(r.headers).map(([k, v]): [string, string] => [`${at}.headers.${k}`, v])];
    if (r.body !== undefined) templates.push([`${at}.${isJson ? 'json' : 'body'}`, r.body]);
    for (const [where, source] of templates) {
      for (const name of envNamesIn(source)) {
        const value = sourceEnv[name];
        if (value !== undefined) env[name] = value;
      }
      try {
        const t = compileTemplate(source, env, dataFields, { ...(vars ? { vars } : {}) });
        // A line break in a URL or header would end the line on the wire and start a second, smuggled request.
        const onTheLine = !where.endsWith('.body') && !where.endsWith('.json');
        if (onTheLine && 'constant' in t && /[\r\n\0]/.test(t.constant)) {
          problems.push({
            path: where,
            message: `contains a line break (CR or LF) or NUL${envNamesIn(source).length ? ' (from an environment variable)' : ''}: it would end the line and start a second request`,
          });
        }
      } catch (err) {
        problems.push({ path: where, message: (err as Error).message });
      }
    }
    for (const name of Object.keys(r.headers)) {
      if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name))
        problems.push({ path: `${at}.headers.${name}`, message: "is not a valid header name (letters, digits and !#$%&'*+.^_`|~-)" });
    }
  };

  const flat = load.requests ?? (load.journeys ? [] : [DEFAULT_REQUEST]);
  const flatSpecs = flat.map((r, i) => specOf(r, `load.requests.${i}`, undefined));
  let requests: RequestSpec[] = flatSpecs;
  let journeys: JourneySpec[] | undefined;
  if (load.journeys) {
    journeys = load.journeys.map((j, ji) => {
      const extracted: string[] = [];
      const steps = j.steps.map((step, si): StepSpec => {
        const at = `load.journeys.${ji}.steps.${si}`;
        const spec = specOf({ ...step, weight: 1 }, at, extracted.slice());
        const { weight: _weight, ...rest } = spec;
        const names = Object.keys(step.extract ?? {});
        extracted.push(...names);
        return {
          ...rest,
          ...(step.extract ? { extract: step.extract } : {}),
          ...(step.think && step.think.max > 0 ? { think: { minMs: step.think.min, maxMs: step.think.max } } : {}),
        };
      });
      const names = new Set<string>();
      for (const s of steps) {
        if (names.has(s.name)) problems.push({ path: `load.journeys.${ji}.steps`, message: `two steps are named "${s.name}": give each step its own name` });
        names.add(s.name);
      }
      return { name: j.name, weight: j.weight, steps, cookies: j.cookies, maxDurationMs: j.maxDuration };
    });
    const seen = new Set<string>();
    load.journeys.forEach((j, ji) => {
      if (seen.has(j.name)) problems.push({ path: `load.journeys.${ji}.name`, message: `another journey is named "${j.name}"` });
      seen.add(j.name);
    });
    // Requests beside journeys are journeys of one step: one schedule starts them all, by weight.
    for (const { weight, ...rest } of flatSpecs) journeys.push({ name: rest.name, weight, steps: [rest], cookies: false, maxDurationMs: rest.timeoutMs });
    requests = [];
  }
  if (problems.length > 0) {
    const lineOf = options.lineOf;
    throw new InputError(
      'GOLIVE_CONFIG_INVALID',
      file,
      problems.map((p) => {
        const line = p.line ?? lineOf?.(p.path);
        return line !== undefined ? { ...p, line } : p;
      }),
    );
  }

  const model = toModel(load, durationMs, options.openEnded ?? false);
  const peakRps = model.kind === 'open' ? Math.max(...model.stages.map((s) => Math.max(s.fromRps, s.toRps))) : 0;
  // The memory bound counts what is live at once: requests, or journeys (each lives its steps and think times).
  const longestLifeMs = journeys
    ? Math.max(
        ...journeys.map((j) =>
          Math.min(
            j.maxDurationMs,
            j.steps.reduce((sum, s) => sum + s.timeoutMs + (s.think?.maxMs ?? 0), 0),
          ),
        ),
      )
    : Math.max(...requests.map((r) => r.timeoutMs));
  return {
    target: { origin: origin.origin, insecure: config.target?.insecure ?? false, http2: config.target?.http2 ?? false },
    model,
    durationMs: options.openEnded ? null : durationMs,
    maxDurationMs: options.openEnded ? 24 * 3_600_000 : durationMs,
    connections: load.connections,
    maxInFlight: load.maxInFlight ?? Math.max(1000, Math.ceil((peakRps * longestLifeMs) / 1000)),
    requests,
    ...(journeys ? { journeys } : {}),
    env,
    ...(data ? { data } : {}),
    ...(load.generator ? { external: externalOf(load.generator, baseDir, file) } : {}),
  };
}

/** The team's own tool, its file resolved and checked now: a missing locustfile is a config error, not a failed drill. */
function externalOf(g: NonNullable<ResolvedConfig['load']['generator']>, baseDir: string, file: string | undefined): ExternalGenerator {
  const [field, given] = g.kind === 'locust' ? ['locustfile', g.locustfile] : ['script', g.script];
  const at = path.resolve(baseDir, given);
  if (!existsSync(at)) throw new InputError('GOLIVE_CONFIG_INVALID', file, [{ path: `load.generator.${field}`, message: `no such file: ${at}` }]);
  return g.kind === 'locust'
    ? { kind: 'locust', file: at, users: g.users, spawnRate: g.spawnRate ?? g.users, bin: g.bin }
    : { kind: 'k6', file: at, env: g.env, bin: g.bin };
}

/** The path and query a request sends: absolute paths as given, relative ones under the target's path. */
function requestPath(origin: URL, url: string): string {
  if (url.startsWith('{{')) return url; // a URL a journey extracted (a Location): resolved when sent
  if (/^https?:\/\//.test(url)) {
    // After the authority: `http://h:1` is `/`, `http://h:1?q=1` is `/?q=1`.
    const rest = url.slice(url.indexOf('//') + 2);
    const at = rest.search(/[/?#]/);
    const tail = at === -1 ? '' : rest.slice(at).replace(/#.*$/, '');
    return tail.startsWith('/') ? tail : `/${tail}`;
  }
  if (url.startsWith('/')) return url;
  return origin.pathname.replace(/[^/]*$/, '') + url;
}

function toModel(load: ResolvedLoad, durationMs: number, openEnded: boolean): LoadModel {
  switch (load.executor) {
    case 'constant-arrival-rate': {
      const rps = load.rate ?? DEFAULT_RATE;
      return { kind: 'open', executor: load.executor, stages: [{ durationMs: openEnded ? 1000 : durationMs, fromRps: rps, toRps: rps }] };
    }
    case 'ramping-arrival-rate': {
      let from = load.startRate ?? 0;
      const stages = (load.stages ?? []).map((s) => {
        const stage = { durationMs: s.duration, fromRps: from, toRps: s.target };
        from = s.target;
        return stage;
      });
      return { kind: 'open', executor: load.executor, stages };
    }
    case 'constant-vus': {
      const vus = load.vus ?? 1;
      return {
        kind: 'closed',
        executor: load.executor,
        stages: [{ durationMs: openEnded ? 1000 : durationMs, fromVus: vus, toVus: vus }],
        thinkTimeMs: load.thinkTime,
      };
    }
    case 'ramping-vus': {
      let from = load.vus ?? 0;
      const stages = (load.stages ?? []).map((s) => {
        const stage = { durationMs: s.duration, fromVus: from, toVus: Math.round(s.target) };
        from = Math.round(s.target);
        return stage;
      });
      return { kind: 'closed', executor: load.executor, stages, thinkTimeMs: load.thinkTime };
    }
  }
}

/** Credentials in the target URL (`https://user:pass@host`) become Basic auth, as curl and k6 send them. */
function basicAuthOf(url: URL): Record<string, string> {
  if (!url.username && !url.password) return {};
  const user = decodeURIComponent(url.username);
  const pass = decodeURIComponent(url.password);
  return { authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}` };
}
