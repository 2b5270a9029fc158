/**
 * The resolved load plan: plain data that crosses to worker threads (and later to worker pods) unchanged.
 * Built from the config by `config/to-plan.ts`; everything here is already validated.
 */
import type { RateStage, VuStage } from './schedule.js';

export interface CheckSpec {
  /** Statuses that count as success; absent = a 2xx or 304 (a redirect is not). */
  status?: number[] | undefined;
  bodyContains?: string | undefined;
  /** JSON path (`$.a.b[0]`) → expected value, compared as JSON. */
  jsonPath?: Record<string, unknown> | undefined;
}

export interface RequestSpec {
  name: string;
  method: string;
  /** Path and query (a template), relative to the target's origin. */
  path: string;
  /** Header name → value template. */
  headers: Record<string, string>;
  /** Body template; JSON bodies are serialized here and get a content-type header. */
  body?: string;
  weight: number;
  check?: CheckSpec;
  timeoutMs: number;
  /** Redirects this request follows; absent: a redirect is the response. */
  followRedirects?: RedirectPolicy;
}

export interface RedirectPolicy {
  /** Redirects followed in a row; one more fails as `too_many_redirects`. */
  max: number;
  /** Hosts (lower case, `host` or `host:port`) redirects may lead to besides the target's origin. */
  hosts: string[];
}

/** Where a step takes a value for `{{vars.NAME}}` in the journey's later steps. */
export type Extractor = { jsonPath: string } | { regex: string } | { header: string } | { cookie: string };

export interface StepSpec extends Omit<RequestSpec, 'weight'> {
  extract?: Record<string, Extractor>;
  /** Pause after the step, drawn uniformly from [minMs, maxMs]. */
  think?: { minMs: number; maxMs: number };
}

/** A user's journey: steps in order on the run's connections, with their own cookie jar and variables. */
export interface JourneySpec {
  name: string;
  weight: number;
  steps: StepSpec[];
  cookies: boolean;
  /** A journey still running this long after its intended start is cut (counted as failed). */
  maxDurationMs: number;
}

export type LoadModel =
  | { kind: 'open'; executor: 'constant-arrival-rate' | 'ramping-arrival-rate'; stages: RateStage[] }
  | { kind: 'closed'; executor: 'constant-vus' | 'ramping-vus'; stages: VuStage[]; thinkTimeMs: number };

export interface DataPlan {
  rows: Record<string, string>[];
  order: 'sequential' | 'random';
}

export interface LoadPlan {
  target: {
    /** Origin only: `http://127.0.0.1:8080`. */
    origin: string;
    /** Accept self-signed or otherwise untrusted certificates. */
    insecure: boolean;
    http2: boolean;
  };
  model: LoadModel;
  /** Total run length; null = run until stopped (drills), bounded by `maxDurationMs`. */
  durationMs: number | null;
  maxDurationMs: number;
  /** Keep-alive connections per run (split across threads). */
  connections: number;
  /** Starts beyond this many requests in flight are dropped (open model): the generator's memory bound. */
  maxInFlight: number;
  requests: RequestSpec[];
  /** Journeys (each schedule index starts one); the requests are then empty, or folded in as one-step journeys. */
  journeys?: JourneySpec[];
  data?: DataPlan;
  /** Values for `{{env.NAME}}`, resolved in the main process. */
  env: Record<string, string>;
  /** The team's own load tool runs the load instead of golive's workers (paths absolute). */
  external?: ExternalGenerator;
}

export type ExternalGenerator =
  | { kind: 'locust'; file: string; users: number; spawnRate: number; bin: string }
  | { kind: 'k6'; file: string; env: Record<string, string>; bin: string };
