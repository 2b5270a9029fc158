/**
 * The run's folder (DESIGN.md §5): run.json at the start, timeline.ndjson and events.ndjson appended as the
 * run goes (a crash still leaves data), summary.json at the end.
 */
import { appendFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { GoliveError } from '../errors.js';
import { makeDirs, writeAtomically } from '../files.js';
import type { RunResult, TimelineEvent } from '../model/result.js';
import type { EventLine, TimelineLine } from '../model/timeline.js';
import type { MergedSecond } from '../engine/snapshot-merger.js';
import { requestCounts } from '../analysis/stats.js';
import { EVENTS_FILE, SUMMARY_FILE, TIMELINE_FILE } from './results-reader.js';

export class ResultsFolder {
  readonly dir: string;
  /** The first write that failed (a full disk, a removed folder): later appends are dropped, not retried. */
  writeFailure: string | undefined;

  /** `onWriteFailure` is told once when an append fails: the run stops, what was written is kept. */
  constructor(
    root: string,
    name: string,
    now: Date = new Date(),
    private readonly onWriteFailure: (message: string) => void = () => undefined,
  ) {
    const stamp = now
      .toISOString()
      .replace(/\.\d+Z$/, 'Z')
      .replace(/:/g, '-');
    let dir = path.resolve(root, `${stamp}-${name}`);
    for (let n = 2; existsSync(dir); n++) dir = path.resolve(root, `${stamp}-${name}-${n}`);
    try {
      makeDirs(dir);
    } catch (err) {
      throw new GoliveError(
        'GOLIVE_USAGE',
        `output.dir ${root}: cannot make a results folder there (${(err as Error).message}): give a folder golive may write (--out)`,
      );
    }
    this.dir = dir;
  }

  /** Writes a whole file atomically (temp file, then rename): a failure never leaves it truncated. */
  writeJson(file: string, value: unknown): void {
    writeAtomically(path.join(this.dir, file), `${JSON.stringify(value, null, 2)}\n`);
  }

  appendSecond(drill: string, s: MergedSecond): void {
    const l = s.latencyMs;
    const r = requestCounts(s.outcomes);
    const line: TimelineLine = {
      drill,
      second: s.second,
      requests: { total: r.total, ok: r.ok, failed: r.failed, dropped: r.dropped },
      byOutcome: r.byOutcome,
      latencyMs: { p50: l.p50, p95: l.p95, p99: l.p99, max: l.max },
      inFlight: s.inFlight,
      latency: s.latency,
      service: s.service,
      failedLatency: s.failedLatency,
      bins: s.bins,
      failures: s.failures,
    };
    this.append(TIMELINE_FILE, `${JSON.stringify(line)}\n`);
  }

  appendEvent(drill: string, event: TimelineEvent): void {
    const line: EventLine = { drill, ...event };
    this.append(EVENTS_FILE, `${JSON.stringify(line)}\n`);
  }

  /** Appends a line; never throws (a load in progress must not crash): the first failure stops the run. */
  private append(file: string, line: string): void {
    if (this.writeFailure !== undefined) return;
    const at = path.join(this.dir, file);
    try {
      appendFileSync(at, line);
    } catch (err) {
      this.writeFailure = `could not write ${at}: ${(err as Error).message}`;
      this.onWriteFailure(this.writeFailure);
    }
  }

  writeSummary(result: RunResult): void {
    writeSummaryFile(path.join(this.dir, SUMMARY_FILE), result);
  }
}

/** Writes a summary (or a partial one) whole: what readSummary reads back. */
export function writeSummaryFile(file: string, result: RunResult): void {
  writeAtomically(file, `${JSON.stringify(result, null, 2)}\n`);
}
