/**
 * Request templates: `{{seq}}`, `{{ts}}`, `{{uuid}}`, `{{randomInt a b}}`, `{{env.NAME}}`, `{{data.FIELD}}`;
 * `{{'{{'}}` is a literal `{{`. Compiled once; a template without placeholders renders to a constant, so the
 * hot path can pre-encode it.
 */
import { randomUUID } from 'node:crypto';

export interface TemplateContext {
  /** The request's index in the whole run's schedule (unique across workers). */
  seq: number;
  /** Intended start, epoch milliseconds. */
  tsMs: number;
  row: Record<string, string> | undefined;
  /** Values the journey's earlier steps extracted (`{{vars.NAME}}`). */
  vars?: Record<string, string> | undefined;
}

export type Template = { constant: string } | { render: (ctx: TemplateContext) => string; usesData: boolean };

type Part = string | ((ctx: TemplateContext) => string);

/** A placeholder holds no brace, so a single `{` or `}` beside one is literal text: `{{{seq}}}` is `{7}`. */
const PLACEHOLDER = /\{\{\s*('\{\{'|[^{}]*?)\s*\}\}/g;
const LITERAL_OPEN = "'{{'";

const TEMPLATE_HELP =
  "placeholders are {{seq}}, {{ts}}, {{uuid}}, {{randomInt MIN MAX}}, {{env.NAME}}, {{data.FIELD}} and {{vars.NAME}} or {{vars.NAME|url}} (journeys); {{'{{'}} writes a literal {{";

export interface TemplateOptions {
  /** Percent-encode data values (and characters a URL cannot hold in extracted values). */
  inUrl?: boolean;
  /** The names `{{vars.NAME}}` may use here: what the journey's earlier steps extract; absent outside journeys. */
  vars?: readonly string[];
}

/** Characters a URL may carry as they are (RFC 3986, with `%` so values already encoded stay as they are). */
const URL_SAFE = /[^A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]/g;

/**
 * Compiles a template. Throws an Error naming the bad placeholder; `env` supplies `{{env.NAME}}` now,
 * `dataFields` (when given) lists the columns `{{data.X}}` may name; `inUrl` percent-encodes data values.
 */
export function compileTemplate(source: string, env: Record<string, string>, dataFields?: readonly string[], options: TemplateOptions = {}): Template {
  const parts: Part[] = [];
  let last = 0;
  let usesData = false;
  for (const m of source.matchAll(PLACEHOLDER)) {
    if (m.index > last) parts.push(source.slice(last, m.index));
    last = m.index + m[0].length;
    const expr = m[1] ?? '';
    const part = compilePlaceholder(expr, env, dataFields, options);
    if (expr.startsWith('data.')) usesData = true;
    parts.push(part);
  }
  if (last < source.length) parts.push(source.slice(last));
  if (parts.every((p) => typeof p === 'string')) return { constant: parts.join('') };
  return {
    usesData,
    render: (ctx) => {
      let out = '';
      for (const p of parts) out += typeof p === 'string' ? p : p(ctx);
      return out;
    },
  };
}

function compilePlaceholder(expr: string, env: Record<string, string>, dataFields: readonly string[] | undefined, options: TemplateOptions): Part {
  const inUrl = options.inUrl ?? false;
  if (expr === LITERAL_OPEN) return '{{';
  if (expr === 'seq') return (ctx) => String(ctx.seq);
  if (expr === 'ts') return (ctx) => String(Math.round(ctx.tsMs));
  if (expr === 'uuid') return () => randomUUID();
  const rnd = /^randomInt\s+(-?\d+)\s+(-?\d+)$/.exec(expr);
  if (rnd) {
    const min = Number(rnd[1]);
    const max = Number(rnd[2]);
    if (max < min) throw new Error(`{{${expr}}}: MAX must not be below MIN`);
    return () => String(min + Math.floor(Math.random() * (max - min + 1)));
  }
  if (expr.startsWith('env.')) {
    const name = expr.slice(4);
    const value = env[name];
    if (value === undefined) throw new Error(`{{${expr}}}: environment variable ${name} is not set`);
    return value;
  }
  if (expr.startsWith('data.')) {
    const field = expr.slice(5);
    if (dataFields && !dataFields.includes(field)) {
      throw new Error(`{{${expr}}}: the data file has no column "${field}" (it has: ${dataFields.join(', ') || 'none'})`);
    }
    if (!dataFields) throw new Error(`{{${expr}}}: uses a data file, but load.data is not set`);
    // Data values in a URL are percent-encoded: a space or a comma in a CSV cell must not break the request line.
    return inUrl ? (ctx) => encodeURIComponent(ctx.row?.[field] ?? '') : (ctx) => ctx.row?.[field] ?? '';
  }
  if (expr.startsWith('vars.')) {
    // `{{vars.csrf|url}}`: percent-encoded, for a form body or a query value.
    const filtered = /^vars\.(\w+)\s*\|\s*url$/.exec(expr);
    const name = filtered ? filtered[1]! : expr.slice(5);
    if (!options.vars) throw new Error(`{{${expr}}}: variables come from a journey's earlier steps (load.journeys[].steps[].extract)`);
    if (!options.vars.includes(name)) {
      throw new Error(
        `{{${expr}}}: no earlier step of this journey extracts "${name}" (${options.vars.length ? `earlier steps extract: ${options.vars.join(', ')}` : 'nothing is extracted before this step'})`,
      );
    }
    if (filtered) return (ctx) => encodeURIComponent(ctx.vars?.[name] ?? '');
    // A token or a Location in a URL: kept as given (it may be a path or already encoded), only what a URL cannot hold is encoded.
    return inUrl ? (ctx) => (ctx.vars?.[name] ?? '').replace(URL_SAFE, (c) => encodeURIComponent(c)) : (ctx) => ctx.vars?.[name] ?? '';
  }
  throw new Error(`unknown placeholder {{${expr}}}: ${TEMPLATE_HELP}`);
}

/** The template that renders `text` as it is: each `{{` in it written `{{'{{'}}`, so nothing in it is a placeholder. */
export function escapeTemplate(text: string): string {
  return text.replaceAll('{{', `{{${LITERAL_OPEN}}}`);
}

/** Names of every `{{env.NAME}}` in a template, so the main process can pass just those to workers. */
export function envNamesIn(source: string): string[] {
  return [...source.matchAll(PLACEHOLDER)]
    .map((m) => m[1] ?? '')
    .filter((e) => e.startsWith('env.'))
    .map((e) => e.slice(4));
}
