// The generator's own cost in the open model: CPU per request (from /proc/<pid>/stat: every thread of the
// golive process, start-up included) and start lag, at fixed rates against nginx, golive pinned to the
// generator core. A spinning generator shows as ~1 core whatever the rate.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GEN_CPU, GOLIVE, median, pinned, startNginx } from './lib.js';

function processTicks(pid) {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const x = f.slice(f.lastIndexOf(')') + 2).split(' ');
    return Number(x[11]) + Number(x[12]);
  } catch {
    return null;
  }
}

async function once(url, rate, seconds) {
  const out = mkdtempSync(path.join(tmpdir(), 'golive-bench-cpu-'));
  const [cmd, args] = pinned(GEN_CPU, process.execPath, [
    GOLIVE,
    'load',
    url,
    '--rate',
    String(rate),
    '-d',
    `${seconds}s`,
    '--threads',
    '1',
    '--connections',
    '50',
    '--out',
    out,
  ]);
  const child = spawn(cmd, args, { stdio: 'ignore', env: { ...process.env, CI: 'true', NO_COLOR: '1' } });
  let ticks = 0;
  // taskset execs node, so the pid is golive's; the last reading before exit is its total.
  const timer = setInterval(() => (ticks = processTicks(child.pid) ?? ticks), 20);
  await new Promise((r) => child.on('exit', r));
  clearInterval(timer);
  const d = JSON.parse(readFileSync(path.join(out, readdirSync(out)[0], 'summary.json'), 'utf8')).drills[0];
  rmSync(out, { recursive: true, force: true });
  return { cpuUsPerRequest: (ticks * 10 * 1000) / d.requests.total, lagP99Ms: d.generator.lagP99Ms, p50: d.latencyMs.p50, p99: d.latencyMs.p99 };
}

export async function generatorCpuBench({ seconds, reps, rates = [1000, 5000] }) {
  const nginx = await startNginx(18_193);
  try {
    const rows = {};
    for (const rate of rates) {
      const runs = [];
      for (let i = 0; i < reps; i++) runs.push(await once(nginx.url, rate, seconds));
      rows[rate] = Object.fromEntries(Object.keys(runs[0]).map((k) => [k, median(runs.map((r) => r[k]))]));
    }
    return rows;
  } finally {
    nginx.stop();
  }
}
