/**
 * Reads the platform's Prometheus (observe.prometheus): each query checked before anything changes, and
 * read back with /api/v1/query_range over each drill's window once the drill is over — nothing polls while
 * the load runs, and the series is exact. Every failure keeps Prometheus's own words.
 */
import { z } from 'zod';
import { GoliveError } from '../errors.js';
import type { ObservedQuery, ObservedSeries } from '../model/result.js';
import type { ResolvedConfig } from '../config/schema.js';
import type { PlatformQuery } from './platform-queries.js';

type PrometheusConfig = NonNullable<NonNullable<ResolvedConfig['observe']>['prometheus']>;

/** A query's answer is small (a few series × a few hundred points): beyond this it is not one. */
const MAX_BODY_BYTES = 16 * 1024 * 1024;
const TIMEOUT_MS = 15_000;
/** Points per series Prometheus returns at most (its own limit is 11,000). */
const MAX_POINTS = 11_000;

/** What golive reads of an API answer (https://prometheus.io/docs/prometheus/latest/querying/api/); the rest is ignored. */
const promResponseSchema = z.object({
  status: z.string().optional(),
  error: z.string().optional(),
  errorType: z.string().optional(),
  data: z.object({ resultType: z.string().optional(), result: z.unknown() }).optional(),
});

type PromResponse = z.output<typeof promResponseSchema>;

/** A range query's series: its labels and [time in s, value as text] points. */
const matrixSchema = z.array(
  z.object({
    metric: z.record(z.string(), z.string()).optional(),
    values: z
      .array(z.tuple([z.number(), z.string()]))
      .max(MAX_POINTS * 2)
      .optional(),
  }),
);

/** An instant query's answer: one [time, value] per series. */
const vectorSchema = z.array(z.object({ value: z.tuple([z.number(), z.string()]).optional() }));

export interface DrillWindow {
  /** Epoch ms of the drill's time zero, and of the load's end. */
  startEpochMs: number;
  endEpochMs: number;
}

export class PrometheusReader {
  constructor(
    private readonly cfg: PrometheusConfig,
    /** The user's queries first (in config order), then golive's own. */
    readonly queries: PlatformQuery[],
    private readonly fetchImpl: typeof fetch = fetch,
    /** How long one call may take, request to last byte. */
    private readonly timeoutMs = TIMEOUT_MS,
  ) {}

  /** Prometheus answers and every query parses: checked before the first drill changes anything. */
  async check(signal: AbortSignal): Promise<void> {
    if (this.cfg.live !== undefined && !this.queries.some((q) => q.name === this.cfg.live)) {
      throw new GoliveError(
        'GOLIVE_USAGE',
        `observe.prometheus.live: no query is named ${JSON.stringify(this.cfg.live)}; names: ${this.queries.map((q) => q.name).join(', ')}`,
      );
    }
    if (this.queries.length === 0) {
      throw new GoliveError('GOLIVE_USAGE', 'observe.prometheus has nothing to read: add queries: [{ name, query }] (or components, or a kubernetes platform)');
    }
    for (const [i, q] of this.queries.entries()) {
      const where = i < this.cfg.queries.length ? `observe.prometheus.queries[${i}].query (${q.name})` : `golive's query "${q.name}" (${q.query})`;
      const answer = await this.get('/api/v1/query', { query: q.query }, signal).catch((err: Error) => {
        throw new GoliveError(
          'GOLIVE_USAGE',
          `observe.prometheus.url ${this.cfg.url}: ${err.message}; golive reads the platform's Prometheus there before any drill (fix the URL, or remove observe.prometheus)`,
        );
      });
      if (answer.status !== 'success') {
        throw new GoliveError(
          'GOLIVE_USAGE',
          `${where}: Prometheus rejected it: ${answer.error ?? 'no reason given'}${answer.errorType ? ` (${answer.errorType})` : ''}`,
        );
      }
    }
  }

  /** Every query over the window; a query that fails or has no data says so instead of a series. */
  async read(window: DrillWindow, signal: AbortSignal): Promise<ObservedQuery[]> {
    const stepS = Math.max(0.001, this.cfg.step / 1000);
    // Prometheus refuses more than 11,000 points per series: a long drill gets a coarser step.
    const spanS = Math.max(stepS, (window.endEpochMs - window.startEpochMs) / 1000);
    const step = Math.max(stepS, spanS / MAX_POINTS);
    const out: ObservedQuery[] = [];
    for (const q of this.queries) {
      const base = {
        name: q.name,
        query: q.query,
        ...(q.unit !== undefined ? { unit: q.unit } : {}),
        source: 'prometheus' as const,
        drill: null,
        disruption: null,
      };
      try {
        const answer = await this.get(
          '/api/v1/query_range',
          { query: q.query, start: (window.startEpochMs / 1000).toFixed(3), end: (window.endEpochMs / 1000).toFixed(3), step: step.toFixed(3) },
          signal,
        );
        if (answer.status !== 'success') {
          out.push({ ...base, error: `Prometheus: ${answer.error ?? 'error'}`, series: [] });
          continue;
        }
        const series = matrix(answer, window.startEpochMs);
        const none = q.optional
          ? 'not available: no data (the metrics it reads are not scraped by this Prometheus)'
          : 'no data: the query returned no series for the drill window';
        out.push(series.length ? { ...base, series } : { ...base, error: none, series: [] });
      } catch (err) {
        out.push({ ...base, error: `Prometheus unreachable: ${(err as Error).message}`, series: [] });
      }
    }
    return out;
  }

  /**
   * Reads the query named `observe.prometheus.live` every step (at least 1 s) until stopped; `latest()` is
   * its last value as a short text for the progress line (the largest when it has several series).
   */
  live(signal: AbortSignal): { latest(): string | undefined; stop(): void } {
    const q = this.queries.find((x) => x.name === this.cfg.live);
    let latest: string | undefined;
    let timer: NodeJS.Timeout | undefined;
    let stopped = false;
    const tick = async (): Promise<void> => {
      if (!q || stopped) return;
      try {
        const answer = await this.get('/api/v1/query', { query: q.query }, signal);
        const result = vectorSchema.safeParse(answer.data?.result);
        const values = (result.success ? result.data : []).map((r) => sampleValue(r.value?.[1] ?? 'NaN'));
        const finite = values.filter((x): x is number => typeof x === 'number');
        const shown = values.includes('+Inf') ? '+Inf' : finite.length ? String(Number(finite.reduce((a, b) => Math.max(a, b)).toPrecision(3))) : undefined;
        latest = shown !== undefined ? `${q.name} ${shown}${q.unit ? ` ${q.unit}` : ''}` : `${q.name} no data`;
      } catch {
        latest = `${q.name} unreadable`;
      }
      if (!stopped) timer = setTimeout(() => void tick(), Math.max(1000, this.cfg.step)).unref();
    };
    void tick();
    return {
      latest: () => latest,
      stop() {
        stopped = true;
        clearTimeout(timer);
      },
    };
  }

  /**
   * One API call, bounded by TIMEOUT_MS from the request to the last byte of the answer. The timer is held
   * and cleared here: `AbortSignal.timeout` inside `AbortSignal.any` is lost to garbage collection on
   * Node 20, and a Prometheus that accepts and never answers then hangs the run.
   */
  private async get(endpoint: string, params: Record<string, string>, signal: AbortSignal): Promise<PromResponse> {
    const url = new URL(endpoint.slice(1), this.cfg.url.endsWith('/') ? this.cfg.url : `${this.cfg.url}/`);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    const call = new AbortController();
    const timer = setTimeout(() => call.abort(new Error(`no answer within ${this.timeoutMs / 1000} s`)), this.timeoutMs);
    const onStop = (): void => call.abort(signal.reason);
    signal.addEventListener('abort', onStop, { once: true });
    if (signal.aborted) onStop();
    try {
      const res = await this.fetchImpl(url, {
        headers: { accept: 'application/json', ...(this.cfg.headers ?? {}) },
        signal: call.signal,
        redirect: 'error',
      }).catch((err: Error) => {
        if (call.signal.aborted && call.signal.reason instanceof Error) throw call.signal.reason;
        // fetch says only "fetch failed": the reason (ECONNREFUSED, ENOTFOUND) is its cause.
        const cause = (err as { cause?: { code?: string; message?: string } }).cause;
        throw new Error(cause ? `${err.message}: ${cause.code ?? cause.message ?? ''}`.trim() : err.message);
      });
      const text = await boundedText(res).catch((err: Error) => {
        throw call.signal.aborted && call.signal.reason instanceof Error ? call.signal.reason : err;
      });
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        throw new Error(`HTTP ${res.status}, not a Prometheus API answer: ${JSON.stringify(text.slice(0, 120))}`);
      }
      const body = promResponseSchema.safeParse(json);
      if (!body.success) throw new Error(`HTTP ${res.status}, not a Prometheus API answer: ${z.prettifyError(body.error).split('\n').join(' ')}`);
      if (!res.ok && body.data.status !== 'error') throw new Error(`HTTP ${res.status}`);
      return body.data;
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', onStop);
    }
  }
}

async function boundedText(res: Response): Promise<string> {
  if (!res.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > MAX_BODY_BYTES) throw new Error(`the answer is over ${MAX_BODY_BYTES / 1024 / 1024} MiB: narrow the query`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** A range answer as series on the drill's clock; +Inf, -Inf and NaN points are kept apart, as Prometheus spells them. */
function matrix(answer: PromResponse, zeroEpochMs: number): ObservedSeries[] {
  const parsed = answer.data?.resultType === 'matrix' ? matrixSchema.safeParse(answer.data.result) : undefined;
  if (parsed && !parsed.success) throw new Error(`not a Prometheus range answer: ${z.prettifyError(parsed.error).split('\n').join(' ')}`);
  return (parsed?.data ?? []).map((entry) => {
    const t: number[] = [];
    const v: number[] = [];
    const nonFinite: NonNullable<ObservedSeries['nonFinite']> = { t: [], v: [] };
    for (const [at, value] of entry.values ?? []) {
      const atMs = Math.round(at * 1000 - zeroEpochMs);
      const n = sampleValue(value);
      if (typeof n === 'number') {
        t.push(atMs);
        v.push(n);
      } else {
        nonFinite.t.push(atMs);
        nonFinite.v.push(n);
      }
    }
    return { labels: entry.metric ?? {}, t, v, ...(nonFinite.t.length ? { nonFinite } : {}) };
  });
}

/** A sample as Prometheus writes it: a finite number, or +Inf, -Inf, NaN (anything else is not a number: NaN). */
function sampleValue(text: string): number | '+Inf' | '-Inf' | 'NaN' {
  const n = text.trim() === '' ? NaN : Number(text);
  if (Number.isFinite(n)) return n;
  if (/^\+?inf(inity)?$/i.test(text)) return '+Inf';
  if (/^-inf(inity)?$/i.test(text)) return '-Inf';
  return 'NaN';
}
