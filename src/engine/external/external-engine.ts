/**
 * The load of a drill run by the team's own tool (Locust, k6): golive starts it for the length of the
 * drill, reads the per-request results it writes as they come (a crash still leaves data), and records
 * each request like one of its own — its start on golive's clock, its latency into the per-second
 * HdrHistograms and the 10 ms bins, its outcome class — so downtime, phases and objectives work unchanged.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readSync, writeFileSync } from 'node:fs';
import { makeDirs } from '../../files.js';
import path from 'node:path';
import { GoliveError } from '../../errors.js';
import type { Recording } from '../../model/recording.js';
import type { ExternalGenerator, LoadPlan } from '../plan.js';
import { RecordingBuilder } from '../recording-builder.js';
import { SnapshotMerger, type MergedSecond } from '../snapshot-merger.js';
import { Recorder } from '../worker/recorder.js';
import { parseK6Line, parseLocustLine, type ExternalRecord } from './records.js';
import { locustHook } from './locust-hook.js';
import type { LoadEngine } from '../engine.js';

/** A second is emitted once the tool has had this long to write its last responses. */
const SETTLE_MS = 1500;
const READ_EVERY_MS = 200;
const STOP_GRACE_MS = 10_000;
/** A line longer than this is not one of the tool's records: it is skipped, never buffered without bound. */
const MAX_LINE = 64 * 1024;
/**
 * The tool shares golive's clock (same machine, offset measured once): a request starting before time zero
 * or ending after now by more than this is not one of this run's, and is left out, counted — never
 * recorded (one start 11 days ahead made golive walk every second up to it).
 */
const CLOCK_SLACK_MS = 1000;

export interface ExternalEngineOptions {
  plan: LoadPlan & { external: ExternalGenerator };
  /** Where the tool's results file (and Locust's hook) go: the run's folder. */
  dir: string;
  /** Epoch ms now, on golive's monotonic clock. */
  now: () => number;
  onSecond?: (second: MergedSecond) => void;
}

export interface ExternalLoadEngine extends LoadEngine {
  /** Wall clock (the tool's timestamps) minus golive's clock, measured once at the start (ms). */
  readonly clockOffsetMs: number;
}

export function startExternalEngine(o: ExternalEngineOptions): ExternalLoadEngine {
  const g = o.plan.external;
  makeDirs(o.dir);
  const out = path.join(o.dir, g.kind === 'locust' ? 'locust-requests.ndjson' : 'k6-results.json');
  writeFileSync(out, '');
  const clockOffsetMs = Date.now() - o.now();
  const zero = o.now();
  const recorder = new Recorder(0);
  const builder = new RecordingBuilder();
  const merger = new SnapshotMerger(1, (s) => {
    builder.add(s);
    o.onSecond?.(s);
  });
  const pending: ExternalRecord[] = [];
  let nextSecond = 0;
  let offset = 0;
  let partial = '';
  let stoppedAtMs: number | undefined;
  let recorded = 0;
  const invalid = { count: 0, example: '' };
  const parse = g.kind === 'locust' ? parseLocustLine : parseK6Line;
  /** Why a record cannot be one of this run's requests (at `nowMs` on the drill's clock); undefined when it can. */
  const whyInvalid = (r: ExternalRecord, nowMs: number): string | undefined => {
    const start = r.startEpochMs - clockOffsetMs - zero;
    if (!Number.isFinite(start) || start < -CLOCK_SLACK_MS) return `a request starting ${seconds(-start)} before time zero`;
    if (!Number.isFinite(r.elapsedMs) || r.elapsedMs < 0) return `a response time of ${r.elapsedMs} ms`;
    if (start + r.elapsedMs > nowMs + CLOCK_SLACK_MS)
      return `a request starting at ${seconds(start)} and lasting ${r.elapsedMs} ms, ending after now (${seconds(nowMs)})`;
    return undefined;
  };

  const readNew = (): void => {
    const fd = openSync(out, 'r');
    try {
      const buf = Buffer.allocUnsafe(256 * 1024);
      for (;;) {
        const n = readSync(fd, buf, 0, buf.length, offset);
        if (n <= 0) break;
        offset += n;
        const lines = (partial + buf.toString('utf8', 0, n)).split('\n');
        partial = lines.pop() ?? '';
        if (partial.length > MAX_LINE) partial = '';
        const nowMs = o.now() - zero;
        for (const line of lines) {
          if (!line || line.length > MAX_LINE) continue;
          const r = parse(line);
          if (!r) continue;
          const why = whyInvalid(r, nowMs);
          if (why === undefined) pending.push(r);
          else if (invalid.count++ === 0) invalid.example = why;
        }
      }
    } finally {
      closeSync(fd);
    }
  };
  /** Records every request that completed before `untilMs` (golive's clock, from zero), then the seconds before it. */
  const emitUntil = (untilMs: number, final: boolean): void => {
    const doneAt = (r: ExternalRecord): number => r.startEpochMs - clockOffsetMs - zero + r.elapsedMs;
    pending.sort((a, b) => doneAt(a) - doneAt(b));
    const last = Math.floor(untilMs / 1000) - 1;
    let taken = 0;
    while (nextSecond <= last || (final && taken < pending.length)) {
      const end = (nextSecond + 1) * 1000;
      for (; taken < pending.length && doneAt(pending[taken]!) < end; taken++) {
        const r = pending[taken]!;
        const start = r.startEpochMs - clockOffsetMs - zero;
        // The tool's own start: a closed-model tool has no other intended start to measure from.
        recorder.record(r.outcome, start, start, start + r.elapsedMs);
      }
      merger.add(recorder.snapshot(nextSecond, 0, 0, false));
      nextSecond++;
    }
    // One splice, not a shift per request: thousands arrive every second.
    recorded += taken;
    pending.splice(0, taken);
    if (final) merger.close(0);
  };

  let child: ChildProcess;
  let settle!: (r: Recording) => void;
  let fail!: (e: Error) => void;
  const finished = new Promise<Recording>((resolve, reject) => {
    settle = resolve;
    fail = reject;
  });
  // A tool that never started rejects both; the run awaits `started` and may never ask for `finished`.
  finished.catch(() => undefined);
  const started = new Promise<number>((resolve, reject) => {
    const [bin, args, env] = command(g, o.plan, out, o.dir);
    child = spawn(bin, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => {
      stderr = (stderr + c.toString()).slice(-4000);
    });
    child.once('spawn', () => resolve(zero));
    child.once('error', (err: NodeJS.ErrnoException) => {
      const e =
        err.code === 'ENOENT'
          ? new GoliveError('GOLIVE_USAGE', `load.generator: ${bin} is not installed (${installHint(g.kind)}), or set load.generator.bin to its path`)
          : err;
      // A tool that never started writes nothing: stop reading (its results folder may be removed next).
      clearInterval(timer);
      reject(e);
      fail(e);
    });
    const timer = setInterval(() => {
      readNew();
      emitUntil(o.now() - zero - SETTLE_MS, false);
    }, READ_EVERY_MS);
    timer.unref();
    child.once('exit', (code, signal) => {
      clearInterval(timer);
      readNew();
      const end = stoppedAtMs ?? o.now() - zero;
      emitUntil(end + 1000, true);
      if (stoppedAtMs === undefined && code !== 0 && recorded === 0) {
        fail(
          new GoliveError(
            'GOLIVE_RUN_FAILED',
            `${bin} exited with ${signal ?? `code ${code}`} before any request: ${stderr.trim().split('\n').slice(-5).join(' | ')}`,
          ),
        );
        return;
      }
      const recording = builder.build(zero, end, { kind: 'processes', count: 1, startOffsetsMs: [0], lost: [] });
      settle(invalid.count ? { ...recording, invalidRecords: { source: g.kind, ...invalid } } : recording);
    });
    if (o.plan.durationMs !== null) setTimeout(() => stop(), o.plan.durationMs).unref();
  });

  function stop(): void {
    if (stoppedAtMs !== undefined) return;
    stoppedAtMs = o.now() - zero;
    const pid = child.pid;
    if (pid === undefined) return;
    // The tool's whole process group: Locust's workers, k6's children.
    try {
      process.kill(-pid, 'SIGTERM');
    } catch {
      return;
    }
    setTimeout(() => {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, STOP_GRACE_MS).unref();
  }

  return { started, finished, stop, clockOffsetMs };
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function installHint(kind: ExternalGenerator['kind']): string {
  return kind === 'locust'
    ? 'Debian: apt-get install python3-locust; or pip install locust'
    : 'see https://grafana.com/docs/k6/latest/set-up/install-k6/ (k6 is not in Debian)';
}

/** The tool's command line: headless, against the target, writing one line per request to `out`. */
function command(g: ExternalGenerator, plan: LoadPlan, out: string, dir: string): [string, string[], Record<string, string>] {
  const target = plan.target.origin;
  if (g.kind === 'locust') {
    const hook = path.join(dir, 'golive_locust_hook.py');
    writeFileSync(hook, locustHook(g.file, out));
    return [g.bin, ['-f', hook, '--headless', '-u', String(g.users), '-r', String(g.spawnRate), '-H', target, '--only-summary', '--stop-timeout', '5'], {}];
  }
  const env = Object.entries({ ...g.env, GOLIVE_TARGET: target }).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
  // Run until golive stops it: the drill decides how long the load runs.
  return [g.bin, ['run', '--quiet', '--no-summary', '--out', `json=${out}`, '--duration', '24h', ...env, g.file], {}];
}
