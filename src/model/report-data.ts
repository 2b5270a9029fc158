/**
 * What the HTML report's page reads: the run's summary and, per drill, the series its charts plot. The
 * report writer (report/html-report.ts) injects it as JSON; the page's script (report/browser/) renders it.
 */
import type { RunResult } from './result.js';

/** What the report's charts plot for one drill, from its timeline lines. */
export interface DrillSeries {
  /** The middle of each plotted span, seconds since the drill's start. */
  t: number[];
  /** How long each span is (s): 1 for a whole second, less for the last, partial one. */
  span: number[];
  /** Requests per second over each span, by completion. */
  ok: number[];
  failed: number[];
  /** Latency (ms, from the intended start) of the ok requests and of the failed ones; null when there were none. */
  okP50: (number | null)[];
  okP95: (number | null)[];
  okP99: (number | null)[];
  failedP50: (number | null)[];
  failedP99: (number | null)[];
  /** ok and failed requests per slot of intended start (100 ms, longer for drills over an hour), from 0. */
  strip: { slotMs: number; ok: number[]; failed: number[] };
}

export interface HtmlReportData {
  summary: RunResult;
  /** By drill name; a drill without timeline lines has none. */
  series: Record<string, DrillSeries>;
}
