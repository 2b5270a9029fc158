/**
 * The platform's series (Prometheus queries) judged like every other figure: `max<0.8`, `avg<0.5`,
 * `last==0` over the drill, for every label set. A query without data is never a pass and never a 0.
 * Points Prometheus answers with +Inf or -Inf (a ratio divided by zero: an outage) are judged as the
 * infinities they are; a NaN point (0/0: nothing served while golive sent load) fails every objective.
 */
import type { ObjectiveResult, ObservedQuery, ObservedSeries, SeriesSummary } from '../model/result.js';
import { compare, type ThresholdOp } from './threshold.js';

type SeriesStat = Exclude<keyof SeriesSummary, 'nonFinite'>;

export interface SeriesObjective {
  source: string;
  stat: SeriesStat;
  op: ThresholdOp;
  value: number;
}

const SHAPE = /^\s*(min|avg|max|last)\s*(<=|>=|==|<|>)\s*(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)\s*$/i;

const SERIES_OBJECTIVE_HELP = "expected an objective like 'max<0.8', 'avg<0.5', 'min>=1' or 'last==0'";

export function parseSeriesObjective(text: string): SeriesObjective | string {
  const m = SHAPE.exec(text);
  if (!m) return SERIES_OBJECTIVE_HELP;
  return { source: text.trim(), stat: m[1]!.toLowerCase() as SeriesStat, op: m[2] as ThresholdOp, value: Number(m[3]) };
}

/**
 * min, avg, max and last over the finite points of every series (last: the latest point of any of them),
 * and how many points were +Inf, -Inf or NaN; null without finite points.
 */
export function summarize(series: readonly ObservedSeries[], fromMs = -Infinity, toMs = Infinity): SeriesSummary | null {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let n = 0;
  let last = NaN;
  let lastT = -Infinity;
  let nonFinite = 0;
  for (const s of series) {
    s.t.forEach((t, i) => {
      if (t < fromMs || t > toMs) return;
      const v = s.v[i]!;
      if (!Number.isFinite(v)) return;
      min = Math.min(min, v);
      max = Math.max(max, v);
      sum += v;
      n++;
      if (t >= lastT) {
        lastT = t;
        last = v;
      }
    });
    for (const t of s.nonFinite?.t ?? []) if (t >= fromMs && t <= toMs) nonFinite++;
  }
  if (!n) return null;
  return nonFinite ? { min, avg: sum / n, max, last, nonFinite } : { min, avg: sum / n, max, last };
}

/** +Inf, -Inf and NaN points back as numbers. */
const SPECIAL: Record<string, number> = { '+Inf': Infinity, '-Inf': -Infinity, NaN: NaN };

/** One series' stat over all its points, the non-finite ones included (NaN when any point is NaN); undefined without points. */
function statOf(s: ObservedSeries, stat: SeriesStat): number | undefined {
  const points: [number, number][] = s.t.map((t, i) => [t, s.v[i]!]);
  s.nonFinite?.t.forEach((t, i) => points.push([t, SPECIAL[s.nonFinite!.v[i]!] ?? NaN]));
  if (!points.length) return undefined;
  if (points.some(([, v]) => Number.isNaN(v))) return NaN;
  switch (stat) {
    case 'min':
      return points.reduce((a, [, v]) => Math.min(a, v), Infinity);
    case 'max':
      return points.reduce((a, [, v]) => Math.max(a, v), -Infinity);
    case 'avg':
      return points.reduce((a, [, v]) => a + v, 0) / points.length;
    case 'last':
      return points.reduce((a, p) => (p[0] >= a[0] ? p : a))[1];
  }
}

function format(v: number, unit: string | undefined): string {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'NaN' : v > 0 ? '+Inf' : '-Inf';
  const text = Math.abs(v) >= 100 || Number.isInteger(v) ? String(Math.round(v * 100) / 100) : String(Number(v.toPrecision(3)));
  return unit ? `${text} ${unit}` : text;
}

/** The objective holds for every label set; the measured figure is the worst one's. */
export function judgeSeries(q: ObservedQuery, objective: SeriesObjective): ObjectiveResult {
  const name = `${q.name} ${objective.stat}`;
  const limit = objective.source.replace(/\s+/g, '');
  if (q.error !== undefined || q.series.length === 0) return { name, limit, measured: q.error ?? 'no data', passed: false };
  const figures = q.series.flatMap((s) => {
    const value = statOf(s, objective.stat);
    return value === undefined ? [] : [{ s, value }];
  });
  if (figures.length === 0) return { name, limit, measured: 'no data in the drill window', passed: false };
  const holds = (v: number): boolean => !Number.isNaN(v) && compare(v, objective.op, objective.value);
  const failing = figures.filter((x) => !holds(x.value));
  const shown = failing[0] ?? figures.reduce((a, b) => (worse(objective, b.value, a.value) ? b : a));
  const labels = Object.entries(shown.s.labels)
    // As Prometheus writes a label set, the value quoted and escaped: a label is text from outside.
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(',');
  return {
    name,
    limit,
    measured: `${objective.stat}=${format(shown.value, q.unit)}${labels ? ` {${labels}}` : ''}`,
    passed: failing.length === 0,
    basis: `${figures.length} series`,
  };
}

/** Nearer the limit's failing side. */
function worse(o: SeriesObjective, a: number, b: number): boolean {
  return o.op === '<' || o.op === '<=' ? a > b : o.op === '>' || o.op === '>=' ? a < b : Math.abs(a - o.value) > Math.abs(b - o.value);
}
