/**
 * The lines of `timeline.ndjson` (one per drill and second, streamed as the run goes) and `events.ndjson`:
 * the one declaration the writer, the report and the rebuild of a partial summary share.
 */
import { z } from 'zod';
import { whyNotEncodedHistogram } from './histogram.js';
import type { RunResult } from './result.js';
import { outcomeCountsSchema, timelineEventSchema } from './result-schema.js';

/** No drill runs for 100 days: a second beyond this is not one golive wrote. */
const MAX_SECOND = 100 * 86_400;
/** 10 ms bins up to that second. */
const MAX_BIN = MAX_SECOND * 100;

const count = z.number().int().nonnegative();

const encodedHistogram = z.string().superRefine((text, ctx) => {
  const why = whyNotEncodedHistogram(text);
  if (why) ctx.addIssue({ code: 'custom', message: why });
});

const flatTuples = (size: number, what: string) =>
  z
    .array(count)
    .refine((a) => a.length % size === 0, { error: `expected flat ${what} (a multiple of ${size} numbers)` })
    .refine((a) => a.every((v, i) => i % size !== 0 || v <= MAX_BIN), { error: `a bin beyond ${MAX_BIN} (${MAX_SECOND / 86_400} days of 10 ms bins)` });

/** Fields added by later versions are optional: results of earlier versions are still read. */
export const timelineLineSchema = z.object({
  drill: z.string(),
  second: z.number().int().min(0).max(MAX_SECOND),
  requests: z.object({ total: count.optional(), ok: count, failed: count, dropped: count.optional() }),
  byOutcome: outcomeCountsSchema.optional(),
  latencyMs: z.object({ p50: z.number(), p95: z.number(), p99: z.number(), max: z.number().optional() }),
  inFlight: count.optional(),
  /** Encoded HdrHistograms (µs): latency from intended start, and service time. */
  latency: encodedHistogram.optional(),
  service: encodedHistogram.optional(),
  /** The failed requests' latency alone (they are in `latency` too). */
  failedLatency: encodedHistogram.optional(),
  /** 10 ms bins by intended start added this second: flat [bin, ok, failed]. */
  bins: flatTuples(3, '[bin, ok, failed] triples').optional(),
  /** Failures by outcome class: flat [bin, count] pairs. */
  failures: z.record(z.string(), flatTuples(2, '[bin, count] pairs')).optional(),
});

export type TimelineLine = z.output<typeof timelineLineSchema>;

/** A line of `events.ndjson`: an event of the drill it names ('(setup)' between drills). */
export const eventLineSchema = timelineEventSchema.extend({ drill: z.string() });

export type EventLine = z.output<typeof eventLineSchema>;

/** Each 10 ms bin of a line's flat [bin, ok, failed] triples. */
export function forEachBin(line: Pick<TimelineLine, 'bins'>, visit: (bin: number, ok: number, failed: number) => void): void {
  const bins = line.bins ?? [];
  for (let i = 0; i + 2 < bins.length; i += 3) visit(bins[i]!, bins[i + 1]!, bins[i + 2]!);
}

/** A results folder as read back: the summary, and each drill's timeline lines in the file's order. */
export interface StoredRun {
  dir: string;
  summary: RunResult;
  timeline: ReadonlyMap<string, readonly TimelineLine[]>;
}
