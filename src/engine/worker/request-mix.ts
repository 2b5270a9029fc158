/**
 * The weighted mix of requests: request k of the run is chosen by a smooth weighted round-robin over the
 * weights, so the mix is exact over every cycle (weights 8 and 2 → 8 of every 10), not merely on average.
 */
import { compileTemplate, type Template, type TemplateContext } from '../template.js';
import type { LoadPlan, RedirectPolicy, RequestSpec } from '../plan.js';
import { createJudge, type Judge } from './checks.js';
import type { Outcome } from '../../model/outcome.js';
import { encodeHttp1, encodeHttp2Block, type Outgoing, type Wants } from './transport.js';

export interface PreparedRequest {
  name: string;
  /** The request for schedule index `seq`, intended to start at `tsMs` (epoch ms); a journey's step also gets its variables. */
  build(seq: number, tsMs: number, vars?: Record<string, string>): Outgoing;
  judge: Judge;
  /** The outcome of a response: the transport's failure, or the judge's verdict. */
  settle: (status: number, body: Buffer | undefined, failure: Outcome | undefined) => Outcome;
  wantsBody: boolean;
  /** What to keep of the response: the body for a check, the Location when redirects are followed. */
  wants: Wants;
  timeoutMs: number;
  redirects: RedirectPolicy | undefined;
}

export interface RequestMix {
  /** The request for schedule index `seq`. */
  pick(seq: number): PreparedRequest;
}

export type RowFor = (seq: number) => Record<string, string> | undefined;

export function rowPicker(plan: LoadPlan): RowFor {
  const rows = plan.data?.rows;
  const random = plan.data?.order === 'random';
  return (seq) => (rows && rows.length > 0 ? rows[random ? Math.floor(Math.random() * rows.length) : seq % rows.length] : undefined);
}

export function createRequestMix(plan: LoadPlan): RequestMix {
  const rowFor = rowPicker(plan);
  const prepared = plan.requests.map((spec) => prepareRequest(spec, plan, rowFor, undefined));
  const cycle = weightedCycle(plan.requests.map((r) => r.weight));
  return { pick: (seq) => prepared[cycle[seq % cycle.length]!]! };
}

/** Compiles one request (or journey step: `vars` names what it may use) for the hot path. */
export function prepareRequest(spec: Omit<RequestSpec, 'weight'>, plan: LoadPlan, rowFor: RowFor, vars: readonly string[] | undefined): PreparedRequest {
  const origin = plan.target.origin;
  const host = new URL(origin).host;
  const env = plan.env;
  const dataFields = plan.data ? Object.keys(plan.data.rows[0] ?? {}) : undefined;
  const varOption = vars ? { vars } : {};
  const path = compileTemplate(spec.path, env, dataFields, { inUrl: true, ...varOption });
  const headers = Object.entries(spec.headers).map(([name, value]) => [name.toLowerCase(), compileTemplate(value, env, dataFields, varOption)] as const);
  const body = spec.body !== undefined ? compileTemplate(spec.body, env, dataFields, varOption) : undefined;
  const { judge, wantsBody } = createJudge(spec.check);
  const isConstant = (t: Template | undefined): boolean => t === undefined || 'constant' in t;
  const render = (t: Template, ctx: TemplateContext): string => ('constant' in t ? t.constant : t.render(ctx));

  /** A request rendered now (templated): one object, its bytes encoded by the transport. */
  const buildFresh = (ctx: TemplateContext): Outgoing => {
    const h: Record<string, string> = {};
    for (const [name, value] of headers) h[name] = render(value, ctx);
    let invalid: string | undefined;
    let target: string;
    if ('constant' in path) target = path.constant;
    else {
      const resolved = onOrigin(path.render(ctx), origin);
      target = resolved.path;
      invalid = resolved.invalid;
    }
    const out: Outgoing = {
      method: spec.method,
      path: target,
      headers: h,
      body: body !== undefined ? Buffer.from(render(body, ctx)) : undefined,
      http1Bytes: undefined,
    };
    invalid ??= unsafeValue(out);
    if (invalid) out.invalid = invalid;
    return out;
  };

  let build: PreparedRequest['build'];
  const constant = isConstant(path) && isConstant(body) && headers.every(([, v]) => isConstant(v));
  if (constant) {
    const outgoing = buildFresh({ seq: 0, tsMs: 0, row: undefined });
    if (plan.target.http2) outgoing.http2Block = encodeHttp2Block(outgoing, new URL(origin).protocol.slice(0, -1), host);
    else outgoing.http1Bytes = encodeHttp1(outgoing, host);
    build = () => outgoing;
  } else {
    build = (seq, tsMs, vars) => buildFresh({ seq, tsMs, row: rowFor(seq), vars });
  }
  const settle: PreparedRequest['settle'] = (status, body, failure) => failure ?? judge(status, body);
  const redirects = spec.followRedirects;
  const wants: Wants = { body: wantsBody, headers: redirects ? ['location'] : undefined };
  return { name: spec.name, build, judge, settle, wantsBody, wants, timeoutMs: spec.timeoutMs, redirects };
}

/**
 * A URL a journey rendered from a value it extracted (a Location header): a full URL on the target's origin
 * becomes its path; another origin is not the target's traffic and is never sent.
 */
function onOrigin(rendered: string, origin: string): { path: string; invalid?: string } {
  if (rendered.startsWith('/')) return { path: rendered };
  if (/^https?:\/\//i.test(rendered)) {
    let url: URL;
    try {
      url = new URL(rendered);
    } catch {
      return { path: '/', invalid: 'the URL' };
    }
    if (url.origin !== origin) return { path: '/', invalid: `the URL (${url.origin} is not the target's origin)` };
    return { path: url.pathname + url.search };
  }
  return { path: `/${rendered}` };
}

const LINE_BREAK = /[\r\n\0]/;

/** Which rendered value holds a CR, LF or NUL: on the wire it would end the line and start a smuggled request. */
function unsafeValue(o: Omit<Outgoing, 'http1Bytes'>): string | undefined {
  if (LINE_BREAK.test(o.path)) return 'the URL';
  for (const name in o.headers) if (LINE_BREAK.test(o.headers[name]!)) return `header ${name}`;
  return undefined;
}

/** The request with the journey's cookies: never the shared pre-encoded bytes, which are the same for every journey. */
export function withCookie(outgoing: Outgoing, cookie: string): Outgoing {
  const headers = { ...outgoing.headers, cookie: outgoing.headers['cookie'] ? `${outgoing.headers['cookie']}; ${cookie}` : cookie };
  const bad = LINE_BREAK.test(cookie) ? 'header cookie' : outgoing.invalid;
  return { ...outgoing, headers, http1Bytes: undefined, http2Block: undefined, ...(bad ? { invalid: bad } : {}) };
}

/** Smooth weighted round-robin (as nginx balances upstreams): evenly interleaved, exact per cycle. */
export function weightedCycle(weights: readonly number[]): number[] {
  const total = weights.reduce((a, b) => a + b, 0);
  const current = weights.map(() => 0);
  const cycle: number[] = [];
  for (let n = 0; n < total; n++) {
    let best = 0;
    for (let i = 0; i < weights.length; i++) {
      current[i]! += weights[i]!;
      if (current[i]! > current[best]!) best = i;
    }
    current[best]! -= total;
    cycle.push(best);
  }
  return cycle;
}
