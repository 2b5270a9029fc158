/**
 * A killed run leaves a timeline and events but no summary: this rebuilds what it can from them, so the
 * run can still become a report. What it cannot know (phases, the team's objectives) it does not guess:
 * each drill is judged by the defaults and carries the error that says the summary is partial.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { analyzeDrill } from '../analysis/analyze-drill.js';
import type { DefaultObjectives } from '../analysis/objective-types.js';
import { writeAtomically } from '../files.js';
import type { Recording, SecondRecord } from '../model/recording.js';
import type { RunResult, TimelineEvent } from '../model/result.js';
import type { TimelineLine } from './results-folder.js';

const PARTIAL_SUMMARY = 'summary.partial.json';

/** Writes `summary.partial.json` from the folder's timeline; undefined when there is no timeline either. */
export function writePartialSummary(dir: string): string | undefined {
  const timeline = path.join(dir, 'timeline.ndjson');
  if (!existsSync(timeline)) return undefined;
  const lines = ndjson<TimelineLine>(timeline);
  const events = existsSync(path.join(dir, 'events.ndjson')) ? ndjson<TimelineEvent & { drill: string }>(path.join(dir, 'events.ndjson')) : [];
  const run = existsSync(path.join(dir, 'run.json'))
    ? (JSON.parse(readFileSync(path.join(dir, 'run.json'), 'utf8')) as {
        startedAt?: string;
        config?: { name?: string };
        drills?: { name: string; kind: string; defaultObjectives: DefaultObjectives }[];
      })
    : {};
  const drills = [...new Set(lines.map((l) => l.drill))].map((name) => {
    const mine = lines.filter((l) => l.drill === name);
    const recording = recordingOf(mine);
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
  const file = path.join(dir, PARTIAL_SUMMARY);
  writeAtomically(file, `${JSON.stringify(summary, null, 2)}\n`);
  return file;
}

function ndjson<T>(file: string): T[] {
  const out: T[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line) continue;
    try {
      out.push(JSON.parse(line) as T);
    } catch {
      // a line torn by the crash: the others still count
    }
  }
  return out;
}

function recordingOf(lines: TimelineLine[]): Recording {
  const seconds: SecondRecord[] = lines.map((l) => ({ second: l.second, latency: l.latency, service: l.service, outcomes: l.byOutcome, inFlight: l.inFlight }));
  let bins = 0;
  for (const l of lines) for (let i = 0; i < l.bins.length; i += 3) bins = Math.max(bins, l.bins[i]! + 1);
  const ok = new Float64Array(bins);
  const failed = new Float64Array(bins);
  const failuresByBin: Record<string, Map<number, number>> = {};
  for (const l of lines) {
    for (let i = 0; i < l.bins.length; i += 3) {
      ok[l.bins[i]!]! += l.bins[i + 1]!;
      failed[l.bins[i]!]! += l.bins[i + 2]!;
    }
    for (const [outcome, pairs] of Object.entries(l.failures)) {
      const byBin = (failuresByBin[outcome] ??= new Map());
      for (let i = 0; i < pairs.length; i += 2) byBin.set(pairs[i]!, (byBin.get(pairs[i]!) ?? 0) + pairs[i + 1]!);
    }
  }
  const durationMs = lines.length ? (Math.max(...lines.map((l) => l.second)) + 1) * 1000 : 0;
  return {
    startEpochMs: 0,
    durationMs,
    seconds,
    binsOk: ok,
    binsFailed: failed,
    failuresByBin,
    lag: '',
    retries: 0,
    workers: { kind: 'threads', count: 0, startOffsetsMs: [], lost: [] },
  };
}
