/**
 * Reads a HAR 1.2 recording (Chrome or Firefox DevTools "Save all as HAR", Playwright's recordHar,
 * mitmproxy): only the fields the import uses, each checked, so a crafted file is an error naming its path.
 */
import { readFileSync, statSync } from 'node:fs';
import { InputError, type InputProblem } from '../errors.js';

/** A recording larger than this is refused: the import holds it in memory. */
const MAX_HAR_BYTES = 256 * 1024 * 1024;

interface HarHeader {
  name: string;
  value: string;
}

export interface HarEntry {
  /** Epoch ms of the request's start. */
  startMs: number;
  /** Total time until the response ended, ms. */
  timeMs: number;
  method: string;
  url: URL;
  requestHeaders: HarHeader[];
  /** The request body as text; undefined when the recording has none (or left it out). */
  body: string | undefined;
  bodyMimeType: string | undefined;
  /** Parts of a multipart body that are files. */
  uploads: string[];
  status: number;
  responseHeaders: HarHeader[];
  /** The response body as text (decoded from base64 when so stored); undefined when not recorded. */
  responseText: string | undefined;
  responseMimeType: string;
  /** Chrome's `_resourceType` (document, script, stylesheet, image, font, xhr, fetch, websocket, …). */
  resourceType: string | undefined;
  isWebSocket: boolean;
}

export interface Har {
  entries: HarEntry[];
  /** The first page's title, when the recording has pages. */
  title: string | undefined;
  creator: string | undefined;
}

export function readHar(file: string, shownAs: string = file): Har {
  let size: number;
  try {
    size = statSync(file).size;
  } catch (err) {
    throw new InputError('GOLIVE_USAGE', shownAs, [{ path: '', message: `cannot read: ${(err as Error).message}` }]);
  }
  if (size > MAX_HAR_BYTES)
    throw new InputError('GOLIVE_USAGE', shownAs, [{ path: '', message: `is ${(size / 2 ** 20).toFixed(0)} MiB: a recording is at most 256 MiB` }]);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new InputError('GOLIVE_USAGE', shownAs, [{ path: '', message: `not a HAR file (not valid JSON: ${(err as Error).message})` }]);
  }
  const problems: InputProblem[] = [];
  const log = (raw as { log?: unknown } | null)?.log;
  if (!isObject(log) || !Array.isArray(log['entries'])) {
    throw new InputError('GOLIVE_USAGE', shownAs, [{ path: 'log.entries', message: 'not a HAR file: expected { "log": { "entries": [...] } } (HAR 1.2)' }]);
  }
  const entries: HarEntry[] = [];
  (log['entries'] as unknown[]).forEach((e, i) => {
    const entry = readEntry(e, `log.entries.${i}`, problems);
    if (entry) entries.push(entry);
  });
  if (problems.length > 0) throw new InputError('GOLIVE_USAGE', shownAs, problems.slice(0, 20));
  entries.sort((a, b) => a.startMs - b.startMs);
  const pages = Array.isArray(log['pages']) ? (log['pages'] as unknown[]) : [];
  const title = isObject(pages[0]) && typeof pages[0]['title'] === 'string' ? pages[0]['title'] : undefined;
  const creator = isObject(log['creator']) && typeof log['creator']['name'] === 'string' ? log['creator']['name'] : undefined;
  return { entries, title, creator };
}

function readEntry(e: unknown, at: string, problems: InputProblem[]): HarEntry | undefined {
  const bad = (path: string, message: string): undefined => {
    problems.push({ path: `${at}${path}`, message });
    return undefined;
  };
  if (!isObject(e)) return bad('', 'expected an entry object');
  const req = e['request'];
  const res = e['response'];
  if (!isObject(req)) return bad('.request', 'expected an object');
  if (!isObject(res)) return bad('.response', 'expected an object');
  const startMs = typeof e['startedDateTime'] === 'string' ? Date.parse(e['startedDateTime']) : NaN;
  if (Number.isNaN(startMs)) return bad('.startedDateTime', 'expected an ISO 8601 date');
  if (typeof req['method'] !== 'string' || !/^[A-Z]+$/i.test(req['method'])) return bad('.request.method', 'expected an HTTP method');
  if (typeof req['url'] !== 'string' || !URL.canParse(req['url'])) return bad('.request.url', 'expected an absolute URL');
  const url = new URL(req['url']);
  const requestHeaders = headersOf(req['headers'], `${at}.request.headers`, problems);
  const responseHeaders = headersOf(res['headers'], `${at}.response.headers`, problems);
  const post = isObject(req['postData']) ? req['postData'] : undefined;
  const params = post && Array.isArray(post['params']) ? (post['params'] as unknown[]) : [];
  const uploads = params.flatMap((p) => (isObject(p) && typeof p['fileName'] === 'string' ? [p['fileName']] : []));
  const content = isObject(res['content']) ? res['content'] : {};
  let responseText = typeof content['text'] === 'string' ? content['text'] : undefined;
  if (responseText !== undefined && content['encoding'] === 'base64') responseText = Buffer.from(responseText, 'base64').toString('utf8');
  const resourceType = typeof e['_resourceType'] === 'string' ? e['_resourceType'] : undefined;
  const upgrade = requestHeaders.some((h) => h.name.toLowerCase() === 'upgrade' && /websocket/i.test(h.value));
  return {
    startMs,
    timeMs: typeof e['time'] === 'number' && e['time'] >= 0 ? e['time'] : 0,
    method: req['method'].toUpperCase(),
    url,
    requestHeaders,
    body: post && typeof post['text'] === 'string' ? post['text'] : undefined,
    bodyMimeType: post && typeof post['mimeType'] === 'string' ? post['mimeType'] : undefined,
    uploads,
    status: typeof res['status'] === 'number' ? res['status'] : 0,
    responseHeaders,
    responseText,
    responseMimeType: typeof content['mimeType'] === 'string' ? content['mimeType'] : '',
    resourceType,
    isWebSocket: resourceType === 'websocket' || upgrade || Array.isArray(e['_webSocketMessages']) || /^wss?:$/.test(url.protocol),
  };
}

function headersOf(value: unknown, at: string, problems: InputProblem[]): HarHeader[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    problems.push({ path: at, message: 'expected a list of { name, value }' });
    return [];
  }
  const out: HarHeader[] = [];
  value.forEach((h, i) => {
    if (isObject(h) && typeof h['name'] === 'string' && typeof h['value'] === 'string') out.push({ name: h['name'], value: h['value'] });
    else problems.push({ path: `${at}.${i}`, message: 'expected { name, value } strings' });
  });
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
