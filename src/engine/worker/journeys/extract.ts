/** A step's extractions: the values its response gives the journey's later steps (`{{vars.NAME}}`). */
import { parseJsonPath, readJsonPath, type PathStep } from '../../json-path.js';
import type { Extractor } from '../../plan.js';
import type { ResponseHeaders } from '../transport.js';
import type { CookieJar } from './cookie-jar.js';

/** What a response gave: the values found, or the name of the first one it did not have. */
type Extracted = { values: Record<string, string> } | { missing: string };

export interface Extraction {
  wantsBody: boolean;
  /** The response headers its extractions read (lower case). */
  headerNames: string[];
  run(body: Buffer | undefined, headers: ResponseHeaders | undefined, jar: CookieJar | undefined, now: number): Extracted;
}

/** A value longer than this is not taken: a hostile body must not become a 4 MiB header on every later step. */
const MAX_VALUE_CHARS = 64 * 1024;

type Reader = (ctx: {
  text: () => string;
  json: () => unknown;
  headers: ResponseHeaders | undefined;
  jar: CookieJar | undefined;
  now: number;
}) => string | undefined;

export function compileExtraction(extract: Record<string, Extractor> | undefined): Extraction | undefined {
  if (!extract || Object.keys(extract).length === 0) return undefined;
  const readers: [string, Reader][] = Object.entries(extract).map(([name, e]) => [name, readerOf(e)]);
  const kinds = Object.values(extract);
  return {
    wantsBody: kinds.some((e) => 'jsonPath' in e || 'regex' in e),
    headerNames: kinds.flatMap((e) => ('header' in e ? [e.header.toLowerCase()] : [])),
    run(body, headers, jar, now) {
      let text: string | undefined;
      let json: unknown;
      let parsed = false;
      const ctx = {
        text: () => (text ??= body ? body.toString('utf8') : ''),
        json: () => {
          if (!parsed) {
            parsed = true;
            try {
              json = JSON.parse(ctx.text());
            } catch {
              json = undefined; // not JSON: a JSON path finds nothing
            }
          }
          return json;
        },
        headers,
        jar,
        now,
      };
      const values: Record<string, string> = {};
      for (const [name, read] of readers) {
        const value = read(ctx);
        if (value === undefined || value.length > MAX_VALUE_CHARS) return { missing: name };
        values[name] = value;
      }
      return { values };
    },
  };
}

function readerOf(e: Extractor): Reader {
  if ('jsonPath' in e) {
    const steps: PathStep[] = parseJsonPath(e.jsonPath) ?? [];
    return ({ json }) => {
      const v = readJsonPath(json(), steps);
      if (v === undefined || v === null) return undefined;
      if (typeof v === 'string') return v;
      return typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);
    };
  }
  if ('regex' in e) {
    const re = new RegExp(e.regex);
    return ({ text }) => {
      const m = re.exec(text());
      return m ? (m[1] ?? m[0]) : undefined;
    };
  }
  if ('header' in e) {
    const wanted = e.header.toLowerCase();
    return ({ headers }) => {
      if (!headers) return undefined;
      for (let i = 0; i < headers.length; i += 2) if (headers[i] === wanted) return headers[i + 1];
      return undefined;
    };
  }
  const name = e.cookie;
  return ({ jar, now }) => jar?.value(name, now);
}
