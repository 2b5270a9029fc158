/**
 * Correlation: a value a response gave (a JSON field, a hidden form field, a Location, a cookie) that a later
 * request sent back becomes an extraction on the step that received it and `{{vars.NAME}}` where it is
 * used, so a replay carries its own session instead of the recorded one. What looks like a session value
 * but came from no earlier response is reported, never silently replayed as if it were fine.
 */
import type { Extractor } from '../engine/plan.js';
import type { HarEntry } from './har-file.js';
import { ValueIndex } from './value-index.js';
import { holds, plainText, replaceValue, splitAtQuery, startsWithVar, templateOf, type RecordedText } from './recorded-text.js';

/** A step as the import builds it: the recorded request, with values replaced by variables. */
export interface DraftStep {
  entry: HarEntry;
  /** Path and query on the origin, or a variable's URL (a Location followed). */
  url: RecordedText;
  headers: Record<string, RecordedText>;
  body: RecordedText | undefined;
  extract: Record<string, Extractor>;
}

export interface Correlated {
  /** How each variable was found and where it was used, for the import's report. */
  variables: { name: string; from: string; source: string; usedBy: string[] }[];
  warnings: string[];
}

/** Work correlation did, counted so a test can bound it without a clock. */
export interface CorrelationWork {
  /** Pieces of a request looked up among the offered values, values checked against a request, names tried. */
  comparisons: number;
}

/** A value a response offers, and how to extract it again. */
interface Offer {
  value: string;
  name: string;
  extractor: Extractor;
  source: string;
  step: number;
  /** The URL the response came from: a relative Location resolves against it. */
  base: string;
}

/** Shorter values are too likely to match by chance (ids like 1, words like "ok"). */
const MIN_VALUE_LENGTH = 6;
const MAX_OFFERS_PER_RESPONSE = 500;
const SESSION_LIKE = /token|csrf|xsrf|nonce|session|auth|sig|state|key|code/i;

export interface CorrelateOptions {
  work?: CorrelationWork | undefined;
  /** Called after each step: a long recording takes seconds. */
  onProgress?: ((done: number, total: number) => void) | undefined;
}

export function correlate(steps: DraftStep[], label: (i: number) => string, { work, onProgress }: CorrelateOptions = {}): Correlated {
  /** Each value's latest offer, and when the value was first offered. */
  const latest = new Map<string, { offer: Offer; order: number }>();
  const index = new ValueIndex(MIN_VALUE_LENGTH);
  /** Where an offered Location leads → the values that led there: a followed redirect need not hold the value as text. */
  const locations = new Map<string, Set<string>>();
  const variables = new Map<string, Correlated['variables'][number]>();
  const names: Names = { taken: new Set(), nextSuffix: new Map() };
  const assigned = new Map<Offer, string>();
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i]!;
    // Uses first: a request can only send back what came before it. Only values found in its text (or a Location
    // leading to it) can be used: the others are never looked at.
    const found = new Set<string>(locations.get(step.entry.url.href));
    let lookups = 0;
    for (const text of [step.url, ...Object.values(step.headers), step.body ?? []]) {
      for (const piece of text) if (typeof piece === 'string') lookups += index.findIn(piece, found);
    }
    // Longest first (then in the order first offered), so a value inside another is never taken for it.
    const offers = [...found]
      .map((v) => latest.get(v)!)
      .sort((a, b) => b.offer.value.length - a.offer.value.length || a.order - b.order)
      .map((o) => o.offer);
    if (work) work.comparisons += lookups + offers.length;
    for (const offer of offers) {
      const used = replaceIn(step, offer, () => {
        let name = assigned.get(offer);
        if (!name) {
          const unique = uniqueName(offer.name, names);
          name = unique.name;
          if (work) work.comparisons += unique.tries;
          assigned.set(offer, name);
          steps[offer.step]!.extract[name] = offer.extractor;
          variables.set(name, { name, from: label(offer.step), source: offer.source, usedBy: [] });
        }
        return name;
      });
      if (used) variables.get(assigned.get(offer)!)!.usedBy.push(label(i));
    }
    for (const offer of offersOf(step.entry, i)) {
      const seen = latest.get(offer.value);
      if (seen) seen.offer = offer;
      else {
        latest.set(offer.value, { offer, order: latest.size });
        const encoded = encodeURIComponent(offer.value);
        index.add(offer.value, encoded === offer.value ? [encoded] : [offer.value, encoded]);
      }
      const target = isLocation(offer) ? locationTarget(offer) : undefined;
      if (target) locations.set(target.href, (locations.get(target.href) ?? new Set()).add(offer.value));
    }
    onProgress?.(i + 1, steps.length);
  }
  return { variables: [...variables.values()], warnings: uncorrelated(steps, label) };
}

function isLocation(offer: Offer): boolean {
  return 'header' in offer.extractor && offer.extractor.header === 'location';
}

function locationTarget(offer: Offer): URL | undefined {
  return URL.canParse(offer.value, offer.base) ? new URL(offer.value, offer.base) : undefined;
}

/** Replaces every form of the offer's value in the step; returns whether it was there. */
function replaceIn(step: DraftStep, offer: Offer, nameOf: () => string): boolean {
  const raw = offer.value;
  const encoded = encodeURIComponent(raw);
  let used = false;
  /**
   * Where a value travels form-encoded (a query, a form body) it is always sent encoded: the recorded value may
   * have held no character that shows the encoding, the replayed one may (a base64 token's + and /).
   */
  const sub = (text: RecordedText, formEncoded: boolean): RecordedText => {
    let out = text;
    if (encoded !== raw && holds(out, encoded)) {
      out = replaceValue(out, encoded, { name: nameOf(), url: true });
      used = true;
    }
    if (holds(out, raw)) {
      out = replaceValue(out, raw, { name: nameOf(), url: formEncoded });
      used = true;
    }
    return out;
  };
  // A Location followed: the next URL is the Location itself (absolute or relative), taken whole.
  if (isLocation(offer) && locationTarget(offer)?.href === step.entry.url.href) {
    step.url = [{ name: nameOf(), url: false }];
    return true;
  }
  if (!startsWithVar(step.url)) {
    // A value in the path is sent as given when it is URL-safe (see the template's URL rule); in the query it is encoded.
    const [path, query] = splitAtQuery(step.url);
    step.url = [...sub(path, false), ...sub(query, true)];
  }
  for (const name of Object.keys(step.headers)) step.headers[name] = sub(step.headers[name]!, false);
  if (step.body !== undefined) step.body = sub(step.body, /x-www-form-urlencoded/i.test(step.entry.bodyMimeType ?? ''));
  return used;
}

/** What a response offers the later requests. */
function offersOf(e: HarEntry, step: number): Offer[] {
  const offers: Offer[] = [];
  const add = (value: string, name: string, extractor: Extractor, source: string): void => {
    // A lone surrogate (JSON allows "\ud800") cannot be percent-encoded, nor sent: such a value is not offered.
    if (value.length >= MIN_VALUE_LENGTH && offers.length < MAX_OFFERS_PER_RESPONSE && !/^(true|false|null)$/.test(value) && !/\p{Cs}/u.test(value)) {
      offers.push({ value, name, extractor, source, step, base: e.url.href });
    }
  };
  for (const h of e.responseHeaders) {
    const name = h.name.toLowerCase();
    if (name === 'location') add(h.value, 'location', { header: 'location' }, 'header location');
    else if (name === 'set-cookie') {
      const pair = /^([^=;\s]+)=([^;]*)/.exec(h.value);
      if (pair) add(pair[2]!, `cookie_${pair[1]!}`, { cookie: pair[1]! }, `Set-Cookie ${pair[1]!}`);
    } else if (SESSION_LIKE.test(name)) add(h.value, name, { header: name }, `header ${name}`);
  }
  const text = e.responseText;
  if (text === undefined) return offers;
  if (/json/i.test(e.responseMimeType) || /^\s*[[{]/.test(text)) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (json !== undefined) walkJson(json, '$', (path, key, value) => add(value, key, { jsonPath: path }, `JSON ${path}`));
  }
  if (/html/i.test(e.responseMimeType) || /<(input|meta)\b/i.test(text)) {
    for (const m of text.matchAll(/<input\b[^>]*>/gi)) {
      const tag = m[0];
      const name = attribute(tag, 'name');
      const value = attribute(tag, 'value');
      if (name === undefined || value === undefined) continue;
      const hidden = /type\s*=\s*["']?hidden/i.test(tag);
      if (!hidden && !SESSION_LIKE.test(name)) continue;
      const nameFirst = tag.search(/\bname\s*=/i) < tag.search(/\bvalue\s*=/i);
      const n = escapeRegex(name);
      const regex = nameFirst ? `name="${n}"[^>]*value="([^"]*)"` : `value="([^"]*)"[^>]*name="${n}"`;
      if (/^[^"]*$/.test(value) && tag.includes(`name="${name}"`) && tag.includes(`value="${value}"`)) add(value, name, { regex }, `hidden field ${name}`);
    }
    for (const m of text.matchAll(/<meta\b[^>]*>/gi)) {
      const tag = m[0];
      const name = attribute(tag, 'name');
      const content = attribute(tag, 'content');
      if (name && content && SESSION_LIKE.test(name) && tag.includes(`name="${name}"`) && tag.includes(`content="${content}"`)) {
        const n = escapeRegex(name);
        const regex = tag.search(/\bname\s*=/i) < tag.search(/\bcontent\s*=/i) ? `name="${n}"[^>]*content="([^"]*)"` : `content="([^"]*)"[^>]*name="${n}"`;
        add(content, name, { regex }, `meta ${name}`);
      }
    }
  }
  return offers;
}

function walkJson(value: unknown, path: string, visit: (path: string, key: string, value: string) => void, depth = 0): void {
  if (depth > 20) return;
  if (typeof value === 'string') visit(path, lastKey(path), value);
  else if (typeof value === 'number' && Number.isInteger(value) && Math.abs(value) >= 100_000) visit(path, lastKey(path), String(value));
  else if (Array.isArray(value)) value.slice(0, 100).forEach((v, i) => walkJson(v, `${path}[${i}]`, visit, depth + 1));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value).slice(0, 200)) {
      const step = /^[A-Za-z_$][\w$-]*$/.test(k) ? `.${k}` : `['${k.replace(/['"]/g, '')}']`;
      walkJson(v, `${path}${step}`, visit, depth + 1);
    }
  }
}

function lastKey(path: string): string {
  const m = /([A-Za-z_$][\w$-]*)[^A-Za-z_$]*$/.exec(path);
  return m ? m[1]! : 'value';
}

function attribute(tag: string, name: string): string | undefined {
  const m = new RegExp(`\\b${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(tag);
  return m ? (m[1] ?? m[2] ?? m[3]) : undefined;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The names taken so far, and per base name the first suffix that may be free (names are never given back). */
interface Names {
  taken: Set<string>;
  nextSuffix: Map<string, number>;
}

/** `wanted` made an identifier, numbered from _2 when taken; returns the name and the names it tried. */
function uniqueName(wanted: string, names: Names): { name: string; tries: number } {
  let base = wanted.replace(/[^A-Za-z0-9_]/g, '_').replace(/^(?=\d)/, '_') || 'value';
  if (base.length > 40) base = base.slice(0, 40);
  let name = base;
  let tries = 1;
  let n = names.nextSuffix.get(base) ?? 2;
  while (names.taken.has(name)) {
    name = `${base}_${n++}`;
    tries++;
  }
  if (name !== base) names.nextSuffix.set(base, n);
  names.taken.add(name);
  return { name, tries };
}

/** Session-looking values left as recorded: an Authorization header, a CSRF header, a token-named parameter. */
function uncorrelated(steps: readonly DraftStep[], label: (i: number) => string): string[] {
  const warnings: string[] = [];
  steps.forEach((s, i) => {
    for (const [name, text] of Object.entries(s.headers)) {
      const value = plainText(text);
      if (value === undefined) continue;
      if (name === 'authorization' || /^x-(csrf|xsrf)-token$/.test(name) || (/token|session/.test(name) && value.length >= MIN_VALUE_LENGTH)) {
        warnings.push(`${label(i)}: header ${name} carries a recorded value no earlier response returned: it is replayed as recorded`);
      }
    }
    // As templates: a recorded `{{vars.` is escaped there, so only the import's own variables read as correlated.
    const query = startsWithVar(s.url) ? '' : (templateOf(s.url).split('?')[1] ?? '');
    const form = s.body !== undefined && /x-www-form-urlencoded/i.test(s.entry.bodyMimeType ?? '') ? templateOf(s.body) : '';
    for (const [where, text] of [
      ['query parameter', query],
      ['form field', form],
    ] as const) {
      for (const [k, v] of new URLSearchParams(text)) {
        if (SESSION_LIKE.test(k) && v.length >= MIN_VALUE_LENGTH && !v.includes('{{vars.'))
          warnings.push(`${label(i)}: ${where} ${k} carries a recorded value no earlier response returned: it is replayed as recorded`);
      }
    }
  });
  return warnings;
}
