/**
 * `golive compare`: two runs side by side, per drill and figure, with regressions beyond tolerances flagged.
 * A drill that ran in only one of the runs cannot be compared: it is named, and fails the comparison.
 * Pure: reads two result models, returns rows.
 */
import { inertMarkdown } from '../model/format.js';
import type { DrillResult, RunResult } from '../model/result.js';

export interface Tolerances {
  /** Relative growth allowed in latency percentiles (0.2 = 20 %). */
  latency: number;
  /** Latency growth below this many ms is noise, whatever the ratio. */
  latencyFloorMs: number;
  /** More downtime than this (ms) is a regression. */
  downtimeMs: number;
  /** More failed requests than this is a regression. */
  failedRequests: number;
  /** Error-rate growth allowed, as a fraction (0.001 = 0.1 percentage point). */
  errorRate: number;
  /** Relative drop in throughput allowed. */
  throughput: number;
  /** Growth in recovery point/time and setup time allowed (relative). */
  recovery: number;
}

const DEFAULT_TOLERANCES: Tolerances = {
  latency: 0.2,
  latencyFloorMs: 1,
  downtimeMs: 100,
  failedRequests: 0,
  errorRate: 0.001,
  throughput: 0.05,
  recovery: 0.2,
};

interface CompareRow {
  drill: string;
  figure: string;
  unit: 'ms' | 'count' | 'ratio' | 'req/s' | 'verdict';
  a: number | null;
  b: number | null;
  /** b − a. */
  change: number | null;
  regression: boolean;
}

export interface Comparison {
  a: { name: string; startedAt: string };
  b: { name: string; startedAt: string };
  rows: CompareRow[];
  regressions: number;
  /** Drills in only one of the runs, and which: each fails the comparison (nothing shows it did not regress). */
  unmatched: { drill: string; only: 'A' | 'B' }[];
  /** No regression, and every drill in both runs. */
  passed: boolean;
}

type Figure = { figure: string; unit: CompareRow['unit']; get: (d: DrillResult) => number | null; worse: (a: number, b: number, t: Tolerances) => boolean };

const latency = (p: 'p50' | 'p95' | 'p99'): Figure => ({
  figure: `latency ${p}`,
  unit: 'ms',
  get: (d) => d.latencyMs[p],
  worse: (a, b, t) => b - a > t.latencyFloorMs && b > a * (1 + t.latency),
});

const relative = (figure: string, get: Figure['get']): Figure => ({
  figure,
  unit: 'ms',
  get,
  worse: (a, b, t) => b > a * (1 + t.recovery) && b - a > t.latencyFloorMs,
});

const FIGURES: Figure[] = [
  { figure: 'passed', unit: 'verdict', get: (d) => (d.passed ? 1 : 0), worse: (a, b) => a === 1 && b === 0 },
  { figure: 'failed requests', unit: 'count', get: (d) => d.requests.failed, worse: (a, b, t) => b - a > t.failedRequests },
  { figure: 'error rate', unit: 'ratio', get: (d) => (d.requests.total ? d.requests.failed / d.requests.total : 0), worse: (a, b, t) => b - a > t.errorRate },
  { figure: 'downtime', unit: 'ms', get: (d) => d.downtime.totalMs, worse: (a, b, t) => b - a > t.downtimeMs },
  { figure: 'degraded time', unit: 'ms', get: (d) => d.downtime.degradedMs, worse: (a, b, t) => b - a > t.downtimeMs * 5 },
  latency('p50'),
  latency('p95'),
  latency('p99'),
  { figure: 'throughput', unit: 'req/s', get: (d) => d.throughput.rps, worse: (a, b, t) => b < a * (1 - t.throughput) },
  relative('recovery point', (d) => d.recovery?.pointMs ?? null),
  relative('recovery time', (d) => d.recovery?.timeMs ?? null),
  { figure: 'lost writes', unit: 'count', get: (d) => d.recovery?.lostWrites ?? null, worse: (a, b) => b > a },
  relative('setup time', (d) => d.setupMs ?? null),
];

export function compareRuns(a: RunResult, b: RunResult, tolerances: Tolerances = DEFAULT_TOLERANCES): Comparison {
  const rows: CompareRow[] = [];
  const names = [...new Set([...a.drills.map((d) => d.name), ...b.drills.map((d) => d.name)])];
  const unmatched: Comparison['unmatched'] = [];
  for (const name of names) {
    const da = a.drills.find((d) => d.name === name);
    const db = b.drills.find((d) => d.name === name);
    if (!da || !db) {
      unmatched.push({ drill: name, only: da ? 'A' : 'B' });
      continue;
    }
    for (const f of FIGURES) {
      const va = f.get(da);
      const vb = f.get(db);
      if (va === null && vb === null) continue;
      rows.push({
        drill: name,
        figure: f.figure,
        unit: f.unit,
        a: va,
        b: vb,
        change: va !== null && vb !== null ? vb - va : null,
        regression: va !== null && vb !== null && f.worse(va, vb, tolerances),
      });
    }
  }
  const regressions = rows.filter((r) => r.regression).length;
  return {
    a: { name: a.name, startedAt: a.startedAt },
    b: { name: b.name, startedAt: b.startedAt },
    rows,
    regressions,
    unmatched,
    passed: regressions === 0 && unmatched.length === 0,
  };
}

/** Parses `latency=20%,downtime=100ms,failedRequests=0` over the defaults. Returns an error message on bad input. */
/** The names `--tolerance` takes, as the error's example shows them, and the unit each is given in. */
const TOLERANCE_NAMES: Record<string, { key: keyof Tolerances; unit: 'share' | 'duration' | 'count' }> = {
  latency: { key: 'latency', unit: 'share' },
  latencyFloor: { key: 'latencyFloorMs', unit: 'duration' },
  downtime: { key: 'downtimeMs', unit: 'duration' },
  failedRequests: { key: 'failedRequests', unit: 'count' },
  errorRate: { key: 'errorRate', unit: 'share' },
  throughput: { key: 'throughput', unit: 'share' },
  recovery: { key: 'recovery', unit: 'share' },
};
const UNIT_EXAMPLE = { share: '20% (or 0.2)', duration: '100ms or 1s', count: 'a count like 3' };

export function parseTolerances(text: string | undefined): Tolerances | string {
  const t = { ...DEFAULT_TOLERANCES };
  if (!text) return t;
  const names = Object.entries(TOLERANCE_NAMES)
    .map(([n, d]) => `${n} (${UNIT_EXAMPLE[d.unit]})`)
    .join(', ');
  for (const part of text.split(',')) {
    const m = /^\s*(\w+)\s*=\s*(\d+(?:\.\d+)?)\s*(%|ms|s)?\s*$/.exec(part);
    // The names of summary.json (downtimeMs) are accepted too.
    const name = m ? (TOLERANCE_NAMES[m[1]!] ?? Object.values(TOLERANCE_NAMES).find((d) => d.key === m[1])) : undefined;
    if (!m || !name) return `expected name=value pairs like latency=20%,downtime=100ms; names: ${names}; received ${JSON.stringify(part.trim())}`;
    const value = Number(m[2]);
    const unit = m[3];
    const wrong = (): string => `${m[1]}: expected ${UNIT_EXAMPLE[name.unit]}, received ${JSON.stringify(part.trim())}`;
    if (name.unit === 'share') {
      if (unit === 'ms' || unit === 's') return wrong();
      t[name.key] = unit === '%' ? value / 100 : value;
    } else if (name.unit === 'duration') {
      if (unit === '%') return wrong();
      t[name.key] = unit === 's' ? value * 1000 : value;
    } else {
      if (unit !== undefined || !Number.isInteger(value)) return wrong();
      t[name.key] = value;
    }
  }
  return t;
}

function formatValue(v: number | null, unit: CompareRow['unit']): string {
  if (v === null) return 'n/a';
  switch (unit) {
    case 'ms':
      return `${Math.round(v * 100) / 100} ms`;
    case 'ratio':
      return `${(v * 100).toFixed(2)} %`;
    case 'req/s':
      return `${v.toFixed(1)} req/s`;
    case 'verdict':
      return v ? 'passed' : 'failed';
    case 'count':
      return String(v);
  }
}

/** The comparison as Markdown, printed as it is: every name from the results files is made inert (terminal and Markdown). */
export function renderComparisonMarkdown(c: Comparison): string {
  const t = inertMarkdown;
  const verdict = [
    ...(c.regressions ? [`${c.regressions} regression(s)`] : []),
    ...(c.unmatched.length ? [`${c.unmatched.length} drill(s) in only one run`] : []),
  ];
  const lines = [
    `## golive compare: ${verdict.length ? `❌ ${verdict.join(', ')}` : '✅ no regression'}`,
    '',
    `A: ${t(c.a.name)} (${t(c.a.startedAt)}) · B: ${t(c.b.name)} (${t(c.b.startedAt)})`,
    '',
    '| drill | figure | A | B | change | |',
    '|---|---|---:|---:|---:|---|',
    ...c.rows.map(
      (r) =>
        `| ${t(r.drill)} | ${r.figure} | ${formatValue(r.a, r.unit)} | ${formatValue(r.b, r.unit)} | ${r.change === null ? '' : `${r.change > 0 ? '+' : ''}${r.unit === 'verdict' ? '' : formatValue(r.change, r.unit)}`} | ${r.regression ? '❌ regression' : ''} |`,
    ),
  ];
  if (c.unmatched.length) {
    lines.push('');
    for (const u of c.unmatched) {
      lines.push(
        `- ❌ ${t(u.drill)} ran in ${u.only} only, not in ${u.only === 'A' ? 'B' : 'A'}: nothing to compare it with (a missing drill fails the comparison)`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}
