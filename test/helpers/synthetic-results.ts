/** Results folders built from synthetic data: for report, compare and render tests and the report benchmark. */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { DrillResult, RunResult } from '../../src/model/result.js';

export function drill(name: string, over: Partial<DrillResult> = {}): DrillResult {
  return {
    name,
    kind: name,
    passed: true,
    startedAt: '2026-11-30T10:00:00.000Z',
    load: {
      model: 'open',
      executor: 'constant-arrival-rate',
      targetRps: 200,
      durationMs: 60_000,
      connections: 50,
      threads: 2,
      workers: { kind: 'threads', count: 2 },
    },
    requests: { total: 12_000, ok: 12_000, failed: 0, dropped: 0, byOutcome: { ok: 12_000 } },
    throughput: { rps: 200 },
    latencyMs: { avg: 12, min: 1, p50: 10, p90: 20, p95: 25, p99: 40, p999: 80, max: 120 },
    serviceTimeMs: { avg: 11, min: 1, p50: 9, p90: 19, p95: 24, p99: 39, p999: 79, max: 119 },
    downtime: { totalMs: 0, longestMs: 0, degradedMs: 0, windows: [] },
    phases: [
      {
        name: 'baseline',
        startMs: 0,
        endMs: 20_000,
        requests: { total: 4000, ok: 4000, failed: 0, dropped: 0, byOutcome: { ok: 4000 } },
        latencyMs: { avg: 12, min: 1, p50: 10, p90: 20, p95: 25, p99: 40, p999: 80, max: 120 },
        throughput: { rps: 200 },
      },
      {
        name: 'disruption',
        startMs: 20_000,
        endMs: 40_000,
        requests: { total: 4000, ok: 4000, failed: 0, dropped: 0, byOutcome: { ok: 4000 } },
        latencyMs: { avg: 12, min: 1, p50: 10, p90: 20, p95: 25, p99: 40, p999: 80, max: 120 },
        throughput: { rps: 200 },
      },
    ],
    generator: { bound: false, dropped: 0, lagP99Ms: 1, warnings: [], startOffsetsMs: [0.1, 0.2], lostWorkers: [] },
    objectives: [{ name: 'downtime', limit: '≤ 0s', measured: '0s', passed: true, basis: '12000 requests' }],
    events: [{ atMs: 20_000, kind: 'rollout.started', message: 'revision 2' }],
    findings: [],
    ...over,
  };
}

export function runResult(name: string, drills: DrillResult[]): RunResult {
  return {
    version: 1,
    tool: { name: 'golive', version: '0.1.0' },
    name,
    startedAt: '2026-11-30T10:00:00.000Z',
    finishedAt: '2026-11-30T10:05:00.000Z',
    passed: drills.every((d) => d.passed),
    platform: { kind: 'local' },
    drills,
  };
}

/** Writes summary.json and a timeline with `seconds` lines per drill (a dip in the middle when failing). */
export function writeResultsFolder(dir: string, run: RunResult, seconds = 60): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'summary.json'), JSON.stringify(run));
  const lines: string[] = [];
  for (const d of run.drills) {
    for (let s = 0; s < seconds; s++) {
      const failed = !d.passed && s > seconds / 2 && s < seconds / 2 + 5 ? 150 : 0;
      const wave = Math.sin(s / 30) * 3;
      lines.push(
        JSON.stringify({
          drill: d.name,
          second: s,
          requests: { total: 200, ok: 200 - failed, failed, dropped: 0 },
          latencyMs: { p50: 10 + wave, p95: 25 + wave * 2, p99: 40 + wave * 3, max: 90 },
        }),
      );
    }
  }
  writeFileSync(path.join(dir, 'timeline.ndjson'), `${lines.join('\n')}\n`);
  return dir;
}
