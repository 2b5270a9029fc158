/**
 * The platform's series (Prometheus queries) judged like every other figure: `max<0.8`, `avg<0.5`,
 * `last==0` over the drill, for every label set. A query without data is never a pass and never a 0.
 */
import type { ObjectiveResult, ObservedQuery, ObservedSeries, SeriesSummary } from '../model/result.js';
import { compare, type ThresholdOp } from './threshold.js';

type SeriesStat = keyof SeriesSummary;

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

/** min, avg, max and last over the points of every series (last: the latest point of any of them); null without points. */
export function summarize(series: readonly ObservedSeries[], fromMs = -Infinity, toMs = Infinity): SeriesSummary | null {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let n = 0;
  let last = NaN;
  let lastT = -Infinity;
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
  }
  return n ? { min, avg: sum / n, max, last } : null;
}

function format(v: number, unit: string | undefined): string {
  const text = Math.abs(v) >= 100 || Number.isInteger(v) ? String(Math.round(v * 100) / 100) : String(Number(v.toPrecision(3)));
  return unit ? `${text} ${unit}` : text;
}

/** The objective holds for every label set; the measured figure is the worst one's. */
export function judgeSeries(q: ObservedQuery, objective: SeriesObjective): ObjectiveResult {
  const name = `${q.name} ${objective.stat}`;
  const limit = objective.source.replace(/\s+/g, '');
  if (q.error !== undefined || q.series.length === 0) return { name, limit, measured: q.error ?? 'no data', passed: false };
  const figures = q.series.map((s) => ({ s, summary: summarize([s]) })).filter((x) => x.summary !== null);
  if (figures.length === 0) return { name, limit, measured: 'no data in the drill window', passed: false };
  const failing = figures.filter((x) => !compare(x.summary![objective.stat], objective.op, objective.value));
  const shown = failing[0] ?? figures.reduce((a, b) => (worse(objective, b.summary![objective.stat], a.summary![objective.stat]) ? b : a));
  const labels = Object.entries(shown.s.labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(',');
  return {
    name,
    limit,
    measured: `${objective.stat}=${format(shown.summary![objective.stat], q.unit)}${labels ? ` {${labels}}` : ''}`,
    passed: failing.length === 0,
    basis: `${figures.length} series`,
  };
}

/** Nearer the limit's failing side. */
function worse(o: SeriesObjective, a: number, b: number): boolean {
  return o.op === '<' || o.op === '<=' ? a > b : o.op === '>' || o.op === '>=' ? a < b : Math.abs(a - o.value) > Math.abs(b - o.value);
}
