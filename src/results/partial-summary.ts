/**
 * A killed run leaves a timeline and events but no summary: this rebuilds what it can from them, so the
 * run can still become a report. What it cannot know (phases, the team's objectives) it does not guess:
 * each drill is judged by the defaults and carries the error that says the summary is partial.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { analyzeDrill } from '../analysis/analyze-drill.js';
import { InputError } from '../errors.js';
import type { Recording, SecondRecord } from '../model/recording.js';
import type { RunResult } from '../model/result.js';
import { forEachBin, type TimelineLine } from '../model/timeline.js';
import { writeSummaryFile } from './results-folder.js';
import { PARTIAL_SUMMARY_FILE, readEvents, readRunInfo, readTimeline, TIMELINE_FILE } from './results-reader.js';

/**
 * golive writes a timeline line every second from 0, and a second's bins are of requests that started in
 * it or shortly before: a drill's bins beyond its seconds plus this much are not golive's (and would make
 * the rebuild allocate from a number rather than from the lines that are there).
 */
const SLACK_SECONDS = 600;

/** Writes `summary.partial.json` from the folder's timeline; undefined when there is no timeline either. */
export function writePartialSummary(dir: string, notes: string[] = []): string | undefined {
  if (!existsSync(path.join(dir, TIMELINE_FILE))) return undefined;
  const lines = readTimeline(dir, notes);
  const events = readEvents(dir, notes);
  const run = readRunInfo(dir);
  const drills = [...new Set(lines.map((l) => l.drill))].map((name) => {
    const recording = recordingOf(
      dir,
      name,
      lines.filter((l) => l.drill === name),
    );
    // The run's plan (run.json) says each drill's kind and its default objectives; without it, neither is guessed.
    const planned = run.drills?.find((d) => d.name === name);
    return analyzeDrill({
      name,
      kind: planned?.kind ?? 'unknown',
      startedAt: run.startedAt ?? '',
      load: {
        model: 'open',
        targetRps: 0,
        executor: 'unknown',
        durationMs: recording.durationMs,
        connections: 0,
        threads: 0,
        workers: { kind: 'threads', count: 0 },
      },
      recording,
      events: events.filter((e) => e.drill === name).map(({ drill: _drill, ...e }) => e),
      phases: [{ name: 'load', startMs: 0, endMs: recording.durationMs }],
      objectives: {},
      defaultObjectives: planned?.defaultObjectives ?? {},
      thresholds: [],
      error: 'the run did not finish: this summary was rebuilt from its timeline and events (partial; phases and the configured objectives are unknown)',
    });
  });
  const summary: RunResult = {
    version: 1,
    tool: { name: 'golive', version: 'partial' },
    name: run.config?.name ?? path.basename(dir),
    startedAt: run.startedAt ?? '',
    finishedAt: '',
    passed: false,
    platform: { kind: 'none' },
    drills,
    error: 'partial: the run did not finish (no summary.json)',
  };
  const file = path.join(dir, PARTIAL_SUMMARY_FILE);
  writeSummaryFile(file, summary);
  return file;
}

function recordingOf(dir: string, drill: string, lines: TimelineLine[]): Recording {
  const seconds: SecondRecord[] = lines.map((l) => ({
    second: l.second,
    latency: l.latency ?? '',
    service: l.service ?? '',
    outcomes: l.byOutcome ?? { ok: l.requests.ok, ...(l.requests.failed ? { error: l.requests.failed } : {}) },
    inFlight: l.inFlight ?? 0,
  }));
  const lastSecond = lines.reduce((max, l) => Math.max(max, l.second), 0);
  let bins = 0;
  for (const l of lines) forEachBin(l, (bin) => (bins = Math.max(bins, bin + 1)));
  const covered = (lines.length + SLACK_SECONDS) * 100;
  if (lastSecond >= lines.length + SLACK_SECONDS || bins > covered) {
    throw new InputError('GOLIVE_DATA_INVALID', path.join(dir, TIMELINE_FILE), [
      {
        path: '',
        message: `drill ${JSON.stringify(drill)} has ${lines.length} line(s) but reaches second ${bins > covered ? Math.floor(bins / 100) : lastSecond}: golive writes a line every second, so this timeline is not one it wrote (or lines are missing); the summary cannot be rebuilt from it`,
      },
    ]);
  }
  const ok = new Float64Array(bins);
  const failed = new Float64Array(bins);
  const failuresByBin: Record<string, Map<number, number>> = {};
  for (const l of lines) {
    forEachBin(l, (bin, o, f) => {
      ok[bin]! += o;
      failed[bin]! += f;
    });
    for (const [outcome, pairs] of Object.entries(l.failures ?? {})) {
      const byBin = (failuresByBin[outcome] ??= new Map());
      for (let i = 0; i + 1 < pairs.length; i += 2) byBin.set(pairs[i]!, (byBin.get(pairs[i]!) ?? 0) + pairs[i + 1]!);
    }
  }
  return {
    startEpochMs: 0,
    durationMs: (lastSecond + 1) * 1000,
    seconds,
    binsOk: ok,
    binsFailed: failed,
    failuresByBin,
    lag: '',
    retries: 0,
    workers: { kind: 'threads', count: 0, startOffsetsMs: [], lost: [] },
  };
}
