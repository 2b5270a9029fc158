/**
 * Reads a results folder back (`golive report`, `golive compare`, the reports at the end of a run): every
 * file through its schema in model/, so a crafted or damaged file is bad input naming the file, the line and
 * the field (exit 2), never a crash in a report.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { GoliveError } from '../errors.js';
import { readJsonFile, readNdjsonFile } from '../files.js';
import type { RunResult } from '../model/result.js';
import { runResultSchema } from '../model/result-schema.js';
import { eventLineSchema, timelineLineSchema, type EventLine, type StoredRun, type TimelineLine } from '../model/timeline.js';

export const SUMMARY_FILE = 'summary.json';
export const PARTIAL_SUMMARY_FILE = 'summary.partial.json';
export const TIMELINE_FILE = 'timeline.ndjson';
export const EVENTS_FILE = 'events.ndjson';
const RUN_FILE = 'run.json';

/** A summary holds every event and window of every drill: hundreds of MiB is not one golive wrote. */
const MAX_SUMMARY_BYTES = 256 * 1024 * 1024;
/** A line a second per drill, a few KiB each: days of load. */
const MAX_NDJSON_BYTES = 2 * 1024 * 1024 * 1024;
/** A second's histograms at their longest are ~320 KiB each. */
const MAX_TIMELINE_LINE_BYTES = 4 * 1024 * 1024;
/** An event's message is a line a hook or the platform printed. */
const MAX_EVENT_LINE_BYTES = 1024 * 1024;

export interface ReadResults extends StoredRun {
  /** What was left out, for the reader to say (a line a crash cut short). */
  notes: string[];
}

/** The summary (or the partial one `golive report` rebuilt) and the timeline of a results folder. */
export function readResults(dir: string): ReadResults {
  const complete = path.join(dir, SUMMARY_FILE);
  // A run that did not finish has only the summary `golive report` rebuilt from its timeline.
  const summaryFile = existsSync(complete) ? complete : path.join(dir, PARTIAL_SUMMARY_FILE);
  if (!existsSync(summaryFile)) {
    throw new GoliveError('GOLIVE_USAGE', `${dir} is not a golive results folder (no summary.json): give a folder under golive-results/`);
  }
  const summary = readSummary(summaryFile);
  const notes: string[] = [];
  const timeline = new Map<string, TimelineLine[]>();
  for (const line of readTimeline(dir, notes)) {
    const list = timeline.get(line.drill) ?? [];
    list.push(line);
    timeline.set(line.drill, list);
  }
  return { dir, summary, timeline, notes };
}

function readSummary(file: string): RunResult {
  return readJsonFile(file, runResultSchema, MAX_SUMMARY_BYTES);
}

/** The folder's timeline lines in file order (none without a timeline); a line a crash cut short is left out and noted. */
export function readTimeline(dir: string, notes: string[]): TimelineLine[] {
  return readLines(path.join(dir, TIMELINE_FILE), timelineLineSchema, MAX_TIMELINE_LINE_BYTES, notes);
}

export function readEvents(dir: string, notes: string[]): EventLine[] {
  return readLines(path.join(dir, EVENTS_FILE), eventLineSchema, MAX_EVENT_LINE_BYTES, notes);
}

/** The default objectives a drill's kind declares (analysis/objective-types.ts): limits, all numbers. */
const limit = z.number().nonnegative().optional();
const defaultLimits = z.object({
  maxErrorRate: limit,
  maxFailedRequests: limit,
  maxFailedJourneys: limit,
  maxDowntime: limit,
  maxDegraded: limit,
  maxRecoveryPoint: limit,
  maxRecoveryTime: limit,
  maxLostWrites: limit,
  maxLostBeforeBackup: limit,
  maxSetupTime: limit,
  maxCpuOfLimit: limit,
  maxMemoryOfLimit: limit,
});

const runFileSchema = z.object({
  startedAt: z.string().optional(),
  config: z.object({ name: z.string().optional() }).optional(),
  drills: z
    .array(
      z.object({
        name: z.string(),
        kind: z.string(),
        defaultObjectives: z.object({ errors: defaultLimits.exactOptional(), downtime: defaultLimits.exactOptional(), backup: defaultLimits.exactOptional() }),
      }),
    )
    .optional(),
});

/** What a rebuilt summary takes from run.json: when the run started, its name, and each drill's kind and default objectives. */
export function readRunInfo(dir: string): z.output<typeof runFileSchema> {
  const file = path.join(dir, RUN_FILE);
  return existsSync(file) ? readJsonFile(file, runFileSchema, MAX_SUMMARY_BYTES) : {};
}

function readLines<S extends z.ZodType>(file: string, schema: S, maxLineBytes: number, notes: string[]): z.output<S>[] {
  if (!existsSync(file)) return [];
  const read = readNdjsonFile(file, schema, { maxBytes: MAX_NDJSON_BYTES, maxLineBytes });
  if (read.tornLine !== undefined) notes.push(`${file}: line ${read.tornLine} was cut short (the run stopped while writing it): left out`);
  return read.lines.map((l) => l.value);
}
