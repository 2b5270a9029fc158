/** Reads a results folder back: the summary and the per-second series the charts need. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { GoliveError } from '../errors.js';
import type { RunResult } from '../model/result.js';

interface DrillSeries {
  /** Seconds since the drill's start (the end of each second). */
  t: number[];
  ok: number[];
  failed: number[];
  p50: number[];
  p95: number[];
  p99: number[];
}

export interface RunResults {
  dir: string;
  summary: RunResult;
  series: Record<string, DrillSeries>;
}

interface TimelineLine {
  drill: string;
  second: number;
  requests: { ok: number; failed: number };
  latencyMs: { p50: number; p95: number; p99: number };
}

export function readResults(dir: string): RunResults {
  // A run that did not finish has only the summary `golive report` rebuilt from its timeline.
  const complete = path.join(dir, 'summary.json');
  const summaryFile = existsSync(complete) ? complete : path.join(dir, 'summary.partial.json');
  if (!existsSync(summaryFile)) {
    throw new GoliveError('GOLIVE_USAGE', `${dir} is not a golive results folder (no summary.json): give a folder under golive-results/`);
  }
  let summary: RunResult;
  try {
    summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as RunResult;
  } catch (err) {
    throw new GoliveError('GOLIVE_USAGE', `${summaryFile} is not valid JSON: ${(err as Error).message}`);
  }
  if (summary.version !== 1 || !Array.isArray(summary.drills)) {
    throw new GoliveError('GOLIVE_USAGE', `${summaryFile} is not a golive summary (version ${String(summary.version)})`);
  }
  const series: Record<string, DrillSeries> = {};
  const timeline = path.join(dir, 'timeline.ndjson');
  if (existsSync(timeline)) {
    for (const line of readFileSync(timeline, 'utf8').split('\n')) {
      if (!line) continue;
      let t: TimelineLine;
      try {
        t = JSON.parse(line) as TimelineLine;
      } catch {
        continue; // a line torn by a crash: the rest of the timeline still counts
      }
      const s = (series[t.drill] ??= { t: [], ok: [], failed: [], p50: [], p95: [], p99: [] });
      s.t.push(t.second + 0.5); // plotted at the middle of its second
      s.ok.push(t.requests.ok);
      s.failed.push(t.requests.failed);
      s.p50.push(t.latencyMs.p50);
      s.p95.push(t.latencyMs.p95);
      s.p99.push(t.latencyMs.p99);
    }
  }
  return { dir, summary, series };
}
