/** Reads a results folder back: the summary and the per-second series the charts need. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { GoliveError } from '../errors.js';
import type { RunResult } from '../model/result.js';
import { drillSeries, type DrillSeries, type TimelineSecond } from './drill-series.js';

export interface RunResults {
  dir: string;
  summary: RunResult;
  series: Record<string, DrillSeries>;
}

interface TimelineLine extends TimelineSecond {
  drill: string;
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
  const lines = new Map<string, TimelineLine[]>();
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
      const list = lines.get(t.drill) ?? [];
      list.push(t);
      lines.set(t.drill, list);
    }
  }
  const series: Record<string, DrillSeries> = {};
  for (const [drill, list] of lines) {
    const ran = summary.drills.find((d) => d.name === drill)?.load.durationMs ?? 0;
    series[drill] = drillSeries(list, ran);
  }
  return { dir, summary, series };
}
