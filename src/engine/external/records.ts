/**
 * One request as an external load tool reported it, read from the file it writes while it runs: Locust
 * through golive's event hook (NDJSON), k6 through `--out json` (its `http_req_duration` points). A line
 * that is not a request is undefined; whether a request's times are possible is the engine's to judge
 * (it knows the run's window).
 */
import { z } from 'zod';

export interface ExternalRecord {
  /** When the request started, epoch ms (the tool's wall clock). */
  startEpochMs: number;
  elapsedMs: number;
  /** golive's outcome class: ok, http_503, connect_refused, connection_reset, timeout, error, … */
  outcome: string;
  label: string;
}

/** The outcome class of a tool's error text (Python's and Go's words for the same failures). */
export function outcomeOfErrorText(text: string): string {
  const t = text.toLowerCase();
  if (/connection refused|connectionrefused|econnrefused|errno 111/.test(t)) return 'connect_refused';
  if (/reset by peer|connectionreset|econnreset|remotedisconnected|remote end closed|broken pipe|errno 104/.test(t)) return 'connection_reset';
  if (/timed out|timeout|deadline exceeded/.test(t)) return 'timeout';
  if (/name or service not known|no such host|getaddrinfo|nodename nor servname/.test(t)) return 'dns';
  if (/ssl|tls|certificate/.test(t)) return 'tls';
  return 'error';
}

/** The line parsed through `schema`; undefined when it is not JSON or not of that shape. */
function parseLine<S extends z.ZodType>(line: string, schema: S): z.output<S> | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return undefined;
  }
  const parsed = schema.safeParse(raw);
  return parsed.success ? parsed.data : undefined;
}

function httpOutcome(status: number): string {
  return status >= 200 && status < 400 ? 'ok' : `http_${status}`;
}

const locustLine = z.object({
  t: z.number(),
  ms: z.number(),
  name: z.string().catch(''),
  status: z.number().catch(0),
  error: z.string().nullable().catch(null),
});

/** A line of golive's Locust hook: {"t": start epoch s, "ms": response time, "name", "status", "error"}. */
export function parseLocustLine(line: string): ExternalRecord | undefined {
  const r = parseLine(line, locustLine);
  if (!r) return undefined;
  const status = r.status;
  // A Locust failure with an HTTP status is that status (or a failed check when the status was fine).
  const outcome = r.error ? (status >= 400 ? `http_${status}` : status > 0 ? 'check_failed' : outcomeOfErrorText(r.error)) : httpOutcome(status || 200);
  return { startEpochMs: r.t * 1000, elapsedMs: r.ms, outcome, label: r.name };
}

const k6Point = z.object({
  type: z.literal('Point'),
  metric: z.literal('http_req_duration'),
  data: z.object({ time: z.string().min(1), value: z.number(), tags: z.record(z.string(), z.string()).catch({}) }),
});

/**
 * k6's JSON output (https://grafana.com/docs/k6/latest/results-output/real-time/json/): one `Point` of
 * `http_req_duration` per request, at the request's start, with its status and error tags. Status 0 is a
 * request that got no response; its `error` / `error_code` tag says why.
 */
export function parseK6Line(line: string): ExternalRecord | undefined {
  const p = parseLine(line, k6Point);
  if (!p) return undefined;
  const start = Date.parse(p.data.time);
  if (!Number.isFinite(start)) return undefined;
  // Date.parse keeps milliseconds; k6 writes nanoseconds: the fraction below a millisecond is taken back.
  const fraction = /\.(\d{3})(\d+)/.exec(p.data.time);
  const sub = fraction ? Number(`0.${fraction[2]}`) : 0;
  const tags = p.data.tags;
  const status = Number(tags['status'] ?? 0);
  const outcome = status > 0 ? (tags['expected_response'] === 'false' && status < 400 ? 'check_failed' : httpOutcome(status)) : k6ErrorOutcome(tags);
  return { startEpochMs: start + sub, elapsedMs: p.data.value, outcome, label: tags['name'] ?? tags['url'] ?? '' };
}

/** k6's error codes (https://grafana.com/docs/k6/latest/javascript-api/error-codes/), else its error text. */
function k6ErrorOutcome(tags: Record<string, string>): string {
  const code = Number(tags['error_code'] ?? 0);
  if (code === 1050 || code === 1211) return 'timeout';
  if (code === 1212) return 'connect_refused';
  if (code === 1220 || code === 1201) return 'connection_reset'; // reset by peer, broken pipe
  if (code >= 1100 && code < 1200) return 'dns';
  if (code >= 1300 && code < 1400) return 'tls';
  return outcomeOfErrorText(tags['error'] ?? '');
}
