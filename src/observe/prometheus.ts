/**
 * Reads the platform's Prometheus (observe.prometheus): each query checked before anything changes, and
 * read back with /api/v1/query_range over each drill's window once the drill is over — nothing polls while
 * the load runs, and the series is exact. Every failure keeps Prometheus's own words.
 */
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

interface PromResponse {
  status?: string;
  error?: string;
  errorType?: string;
  data?: { resultType?: string; result?: unknown };
}

interface MatrixEntry {
  metric?: Record<string, string>;
  values?: [number, string][];
}

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
        const values = (Array.isArray(answer.data?.result) ? (answer.data.result as { value?: [number, string] }[]) : [])
          .map((r) => Number(r.value?.[1]))
          .filter(Number.isFinite);
        latest = values.length ? `${q.name} ${String(Number(Math.max(...values).toPrecision(3)))}${q.unit ? ` ${q.unit}` : ''}` : `${q.name} no data`;
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

  private async get(endpoint: string, params: Record<string, string>, signal: AbortSignal): Promise<PromResponse> {
    const url = new URL(endpoint.slice(1), this.cfg.url.endsWith('/') ? this.cfg.url : `${this.cfg.url}/`);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    const res = await this.fetchImpl(url, {
      headers: { accept: 'application/json', ...(this.cfg.headers ?? {}) },
      signal: AbortSignal.any([signal, AbortSignal.timeout(TIMEOUT_MS)]),
      redirect: 'error',
    }).catch((err: Error) => {
      // fetch says only "fetch failed": the reason (ECONNREFUSED, ENOTFOUND, a timeout) is its cause.
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new Error(cause ? `${err.message}: ${cause.code ?? cause.message ?? ''}`.trim() : err.message);
    });
    const text = await boundedText(res);
    let body: PromResponse;
    try {
      body = JSON.parse(text) as PromResponse;
    } catch {
      throw new Error(`HTTP ${res.status}, not a Prometheus API answer: ${JSON.stringify(text.slice(0, 120))}`);
    }
    if (!res.ok && body.status !== 'error') throw new Error(`HTTP ${res.status}`);
    return body;
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

/** A range answer as series on the drill's clock; non-finite values (NaN, ±Inf) are left out. */
function matrix(answer: PromResponse, zeroEpochMs: number): ObservedSeries[] {
  const result = answer.data?.resultType === 'matrix' && Array.isArray(answer.data.result) ? (answer.data.result as MatrixEntry[]) : [];
  return result.map((entry) => {
    const t: number[] = [];
    const v: number[] = [];
    for (const [at, value] of entry.values ?? []) {
      const n = Number(value);
      if (!Number.isFinite(n)) continue;
      t.push(Math.round(at * 1000 - zeroEpochMs));
      v.push(n);
    }
    return { labels: entry.metric ?? {}, t, v };
  });
}
