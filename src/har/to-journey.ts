/** A recording, selected and correlated, as one journey of a golive config: steps, checks, think times, and the import's report. */
import type { Har, HarEntry } from './har-file.js';
import type { Extractor } from '../engine/plan.js';
import { inert } from '../model/format.js';
import { correlate, type CorrelationWork, type DraftStep } from './correlate.js';
import { literal, templateOf, type RecordedText } from './recorded-text.js';
import { selectEntries } from './select.js';

/** Headers a replay must not send as recorded: the connection's own, cookies (the journey's jar sends them), compression and caching. */
const DROPPED_HEADERS = new Set([
  'host',
  'connection',
  'content-length',
  'cookie',
  'keep-alive',
  'te',
  'transfer-encoding',
  'upgrade',
  'proxy-connection',
  'proxy-authorization',
  'accept-encoding',
  'if-none-match',
  'if-modified-since',
  'priority',
]);
/** Gaps shorter than this are the browser's own work, not a user's pause. */
const MIN_THINK_MS = 10;

export interface ImportOptions {
  hosts: string[];
  keepStatic: boolean;
  correlate: boolean;
  name?: string | undefined;
  /** Counts correlation's work (tests bound it). */
  work?: CorrelationWork | undefined;
  /** Called after each step is correlated. */
  onProgress?: ((done: number, total: number) => void) | undefined;
}

interface JourneyStep {
  name: string;
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: string;
  check: { status: number[] };
  extract?: Record<string, Extractor>;
  think?: string;
}

export interface ImportResult {
  origin: string;
  journey: { name: string; steps: JourneyStep[] };
  variables: { name: string; from: string; source: string; usedBy: string[] }[];
  dropped: { staticAssets: string[]; otherHosts: Map<string, number>; websockets: string[]; noResponse: string[] };
  warnings: string[];
}

export function harToJourney(har: Har, options: ImportOptions): ImportResult | { error: string } {
  const selection = selectEntries(har.entries, options);
  if ('error' in selection) return selection;
  const { kept, origin } = selection;
  const warnings: string[] = [];
  const names = stepNames(kept);
  const label = (i: number): string => `step ${i + 1} (${names[i]})`;
  const drafts: DraftStep[] = kept.map((e, i) => {
    const headers: Record<string, RecordedText> = {};
    for (const h of e.requestHeaders) {
      const name = h.name.toLowerCase();
      if (name.startsWith(':') || DROPPED_HEADERS.has(name) || name in headers) continue;
      headers[name] = literal(h.value);
    }
    if (e.uploads.length) warnings.push(`${label(i)}: uploads (${e.uploads.join(', ')}) are replayed with the recorded body as text, if the recording kept it`);
    if (e.body === undefined && ['POST', 'PUT', 'PATCH'].includes(e.method) && hasBody(e)) {
      warnings.push(`${label(i)}: the recording has no body for this request (binary, or left out by the browser): it is sent empty`);
    }
    if (/text\/event-stream/i.test(e.responseMimeType))
      warnings.push(`${label(i)}: a server-sent event stream is replayed as one request that ends at the timeout`);
    return { entry: e, url: literal(e.url.pathname + e.url.search), headers, body: e.body === undefined ? undefined : literal(e.body), extract: {} };
  });
  const cookiesSet = new Set<string>();
  const cookieWarnings = new Set<string>();
  kept.forEach((e, i) => {
    for (const h of e.requestHeaders) {
      if (h.name.toLowerCase() !== 'cookie') continue;
      for (const pair of h.value.split(';')) {
        const name = pair.split('=')[0]!.trim();
        if (name && !cookiesSet.has(name) && !cookieWarnings.has(name)) {
          cookieWarnings.add(name);
          warnings.push(`${label(i)}: cookie ${name} was set before the recording began (or by a request not replayed): the replay starts without it`);
        }
      }
    }
    for (const h of e.responseHeaders) if (h.name.toLowerCase() === 'set-cookie') cookiesSet.add(h.value.split('=')[0]!.trim());
  });
  const correlated = options.correlate ? correlate(drafts, label, { work: options.work, onProgress: options.onProgress }) : { variables: [], warnings: [] };
  warnings.push(...correlated.warnings);
  // Recorded text is written escaped: only the variables correlation put in are live templates.
  const steps = drafts.map((d, i): JourneyStep => {
    const next = kept[i + 1];
    const gap = next ? Math.round(next.startMs - (d.entry.startMs + d.entry.timeMs)) : 0;
    const headers = Object.entries(d.headers).map(([name, text]) => [name, templateOf(text)] as const);
    const body = d.body === undefined ? '' : templateOf(d.body);
    return {
      name: names[i]!,
      method: d.entry.method,
      url: templateOf(d.url),
      ...(headers.length ? { headers: Object.fromEntries(headers) } : {}),
      ...(body !== '' ? { body } : {}),
      check: { status: d.entry.status === 304 ? [200, 304] : [d.entry.status] },
      ...(Object.keys(d.extract).length ? { extract: d.extract } : {}),
      ...(gap >= MIN_THINK_MS ? { think: `${gap}ms` } : {}),
    };
  });
  if (selection.dropped.websockets.length) {
    warnings.push(`websockets are not replayed: ${selection.dropped.websockets.join(', ')} (golive's journeys speak HTTP only)`);
  }
  return {
    origin,
    journey: { name: journeyName(options.name ?? har.title), steps },
    variables: correlated.variables,
    dropped: selection.dropped,
    warnings,
  };
}

/** The request had a body (its postData, or a Content-Length above 0) that the recording does not hold. */
function hasBody(e: HarEntry): boolean {
  const length = e.requestHeaders.find((h) => h.name.toLowerCase() === 'content-length')?.value;
  return e.bodyMimeType !== undefined || Number(length) > 0;
}

/** `METHOD /path`, numbered when the same request comes again. */
function stepNames(entries: readonly HarEntry[]): string[] {
  const seen = new Map<string, number>();
  return entries.map((e) => {
    const base = `${e.method} ${e.url.pathname.length > 60 ? `${e.url.pathname.slice(0, 59)}…` : e.url.pathname}`;
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return n === 1 ? base : `${base} #${n}`;
  });
}

/** The recording's title as the journey's name: it is shown in terminals and reports, so control characters are made inert. */
function journeyName(title: string | undefined): string {
  const cleaned = inert((title ?? '').replace(/[/\\\r\n]+/g, ' ')).trim();
  return cleaned ? cleaned.slice(0, 60) : 'recorded session';
}
