// Self-made latency: the open model at half of golive's closed-loop maximum on one core, beside h2load
// (--h1 -c50 --rps R/50, every request logged with --log-file) at the same rate, interleaved in the same run.
// golive logs every request's intended start, latency and start lag (GOLIVE_DEBUG_LATENCY_DIR). Percentiles
// are exact (every request), and each second's worst 10 ms bin shows stall clusters (at second boundaries, the
// per-second snapshot's; in the first second, a cold JIT's).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { benchTempDir, GEN_CPU, has, median, pinned, run, runGolive, startNginx } from './lib.js';

const CONNECTIONS = 50;

function summarize(rows) {
  // rows: [startUs (relative), latencyUs]
  const lat = rows.map((r) => r[1]).sort((a, b) => a - b);
  const at = (p) => lat[Math.min(lat.length - 1, Math.floor((lat.length * p) / 100))] / 1000;
  const worstBinPerSecond = [];
  for (const [start, latency] of rows) {
    const s = Math.floor(start / 1e6);
    worstBinPerSecond[s] = Math.max(worstBinPerSecond[s] ?? 0, latency / 1000);
  }
  return { requests: lat.length, p50: at(50), p99: at(99), p999: at(99.9), max: lat[lat.length - 1] / 1000, worstBinPerSecond };
}

async function h2loadRun(url, rate, seconds) {
  const dir = benchTempDir('golive-bench-h2load-');
  const log = path.join(dir, 'requests.log');
  const [cmd, args] = pinned(GEN_CPU, 'h2load', [
    '--h1',
    `-c${CONNECTIONS}`,
    '--rps',
    String(rate / CONNECTIONS),
    '-D',
    String(seconds),
    '--log-file',
    log,
    url,
  ]);
  await run(cmd, args);
  const rows = readFileSync(log, 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split('\t').map(Number));
  const t0 = rows.reduce((m, r) => Math.min(m, r[0]), Infinity);
  return summarize(rows.map((r) => [r[0] - t0, r[2]]));
}

async function goliveRun(url, rate, seconds) {
  const dir = benchTempDir('golive-bench-latency-');
  const d = await runGolive(['load', url, '--rate', String(rate), '--connections', String(CONNECTIONS), '--threads', '1', '-d', `${seconds}s`], GEN_CPU, {
    GOLIVE_DEBUG_LATENCY_DIR: dir,
  });
  const rows = [];
  const fromSend = [];
  for (const f of readdirSync(dir))
    for (const line of readFileSync(path.join(dir, f), 'utf8').trim().split('\n')) {
      const [start, latency, lag] = line.split(' ').map(Number);
      rows.push([start, latency]);
      fromSend.push([start + lag, latency - lag]);
    }
  // From the actual send, as h2load measures: what a late start (the host taking the core) adds is left out.
  return { ...summarize(rows), p99FromSend: summarize(fromSend).p99, lagP99Ms: d.generator.lagP99Ms };
}

/** `rate`: half of golive's closed-loop maximum, measured by the caller in the same run. */
export async function openLatencyBench({ seconds, rate, reps }) {
  if (!has('h2load')) return undefined;
  const nginx = await startNginx(18_184);
  const runs = { golive: [], h2load: [] };
  try {
    for (let rep = 0; rep < reps; rep++) {
      runs.h2load.push(await h2loadRun(nginx.url, rate, seconds));
      runs.golive.push(await goliveRun(nginx.url, rate, seconds));
    }
  } finally {
    nginx.stop();
  }
  const med = (name, key) => median(runs[name].map((r) => r[key]));
  return {
    rate,
    runs,
    median: Object.fromEntries(['golive', 'h2load'].map((n) => [n, { p50: med(n, 'p50'), p99: med(n, 'p99'), p999: med(n, 'p999') }])),
    goliveP99FromSend: median(runs.golive.map((r) => r.p99FromSend)),
  };
}
