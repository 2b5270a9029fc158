/**
 * k6-style thresholds: `p(95)<300`, `avg<=200`, `max<2s`, `rate(failed)<0.001`, `count(http_503)==0`, `rps>=190`.
 * Latency values are milliseconds unless a unit is given.
 */
type ThresholdMetric =
  | { kind: 'latency'; stat: 'avg' | 'min' | 'med' | 'max' | 'p'; percentile?: number }
  | { kind: 'rate'; outcome: string }
  | { kind: 'count'; outcome: string }
  | { kind: 'rps' };

export type ThresholdOp = '<' | '<=' | '>' | '>=' | '==';

export interface Threshold {
  /** The text the user wrote, shown in reports. */
  source: string;
  metric: ThresholdMetric;
  op: ThresholdOp;
  value: number;
}

const SHAPE =
  /^\s*(avg|min|med|max|rps|p\(\s*(\d+(?:\.\d+)?)\s*\)|rate\(\s*([a-z0-9_]+)\s*\)|count\(\s*([a-z0-9_]+)\s*\))\s*(<=|>=|==|<|>)\s*(\d+(?:\.\d+)?)\s*(ms|s)?\s*$/;

export const THRESHOLD_HELP = "expected a threshold like 'p(95)<300', 'avg<200', 'max<2s', 'rate(failed)<0.001', 'count(http_5xx)==0' or 'rps>=190'";

/** Returns the parsed threshold, or a message saying what is wrong. */
export function parseThreshold(source: string): Threshold | string {
  const m = SHAPE.exec(source);
  if (!m) return THRESHOLD_HELP;
  const [, head = '', pct, rateOf, countOf, op, rawValue = '', unit] = m;
  let value = Number(rawValue);
  let metric: ThresholdMetric;
  if (pct !== undefined) {
    const percentile = Number(pct);
    if (percentile <= 0 || percentile > 100) return `percentile must be in (0, 100], got ${pct}`;
    metric = { kind: 'latency', stat: 'p', percentile };
  } else if (rateOf !== undefined) {
    if (unit) return `rate(${rateOf}) is a fraction between 0 and 1; it takes no unit`;
    if (value > 1) return `rate(${rateOf}) is a fraction between 0 and 1 (0.001 = 0.1 %), got ${rawValue}`;
    metric = { kind: 'rate', outcome: rateOf };
  } else if (countOf !== undefined) {
    metric = { kind: 'count', outcome: countOf };
  } else if (head === 'rps') {
    metric = { kind: 'rps' };
  } else {
    metric = { kind: 'latency', stat: head as 'avg' | 'min' | 'med' | 'max' };
  }
  if (unit === 's') value *= 1000;
  return { source: source.trim(), metric, op: op as ThresholdOp, value };
}

export function compare(measured: number, op: ThresholdOp, limit: number): boolean {
  switch (op) {
    case '<':
      return measured < limit;
    case '<=':
      return measured <= limit;
    case '>':
      return measured > limit;
    case '>=':
      return measured >= limit;
    case '==':
      return measured === limit;
  }
}
