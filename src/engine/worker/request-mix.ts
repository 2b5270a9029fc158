/**
 * The weighted mix of requests: request k of the run is chosen by a smooth weighted round-robin over the
 * weights, so the mix is exact over every cycle (weights 8 and 2 → 8 of every 10), not merely on average.
 */
import { compileTemplate, type Template, type TemplateContext } from '../template.js';
import type { LoadPlan, RequestSpec } from '../plan.js';
import { createJudge, type Judge } from './checks.js';
import { encodeHttp1, type Outgoing } from './transport.js';

interface PreparedRequest {
  name: string;
  /** The request for schedule index `seq`, intended to start at `tsMs` (epoch ms). */
  build(seq: number, tsMs: number): Outgoing;
  judge: Judge;
  wantsBody: boolean;
  timeoutMs: number;
}

export interface RequestMix {
  /** The request for schedule index `seq`. */
  pick(seq: number): PreparedRequest;
}

type RowFor = (seq: number) => Record<string, string> | undefined;

export function createRequestMix(plan: LoadPlan): RequestMix {
  const host = new URL(plan.target.origin).host;
  const dataFields = plan.data ? Object.keys(plan.data.rows[0] ?? {}) : undefined;
  const rows = plan.data?.rows;
  const random = plan.data?.order === 'random';
  const rowFor: RowFor = (seq) => (rows && rows.length > 0 ? rows[random ? Math.floor(Math.random() * rows.length) : seq % rows.length] : undefined);
  const prepared = plan.requests.map((spec) => prepare(spec, plan.env, dataFields, host, rowFor));
  const cycle = weightedCycle(plan.requests.map((r) => r.weight));
  return { pick: (seq) => prepared[cycle[seq % cycle.length]!]! };
}

function prepare(spec: RequestSpec, env: Record<string, string>, dataFields: string[] | undefined, host: string, rowFor: RowFor): PreparedRequest {
  const path = compileTemplate(spec.path, env, dataFields, { inUrl: true });
  const headers = Object.entries(spec.headers).map(([name, value]) => [name.toLowerCase(), compileTemplate(value, env, dataFields)] as const);
  const body = spec.body !== undefined ? compileTemplate(spec.body, env, dataFields) : undefined;
  const { judge, wantsBody } = createJudge(spec.check);
  const isConstant = (t: Template | undefined): boolean => t === undefined || 'constant' in t;
  const render = (t: Template, ctx: TemplateContext): string => ('constant' in t ? t.constant : t.render(ctx));

  const buildFresh = (ctx: TemplateContext): Omit<Outgoing, 'http1Bytes'> => {
    const h: Record<string, string> = {};
    for (const [name, value] of headers) h[name] = render(value, ctx);
    return {
      method: spec.method,
      path: render(path, ctx),
      headers: h,
      body: body !== undefined ? Buffer.from(render(body, ctx)) : undefined,
    };
  };

  let build: PreparedRequest['build'];
  if (isConstant(path) && isConstant(body) && headers.every(([, v]) => isConstant(v))) {
    const fixed = buildFresh({ seq: 0, tsMs: 0, row: undefined });
    const outgoing: Outgoing = { ...fixed, http1Bytes: encodeHttp1(fixed, host) };
    build = () => outgoing;
  } else {
    build = (seq, tsMs) => {
      const fresh = buildFresh({ seq, tsMs, row: rowFor(seq) });
      const bad = unsafeValue(fresh);
      return { ...fresh, http1Bytes: undefined, ...(bad ? { invalid: bad } : {}) };
    };
  }
  return { name: spec.name, build, judge, wantsBody, timeoutMs: spec.timeoutMs };
}

const LINE_BREAK = /[\r\n\0]/;

/** Which rendered value holds a CR, LF or NUL: on the wire it would end the line and start a smuggled request. */
function unsafeValue(o: Omit<Outgoing, 'http1Bytes'>): string | undefined {
  if (LINE_BREAK.test(o.path)) return 'the URL';
  for (const name in o.headers) if (LINE_BREAK.test(o.headers[name]!)) return `header ${name}`;
  return undefined;
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
