// The generator's own cost in the open model: CPU per request (from /proc/<pid>/stat: every thread of the
// golive process, start-up included) and start lag, at fixed rates against nginx, golive pinned to the
// generator core. A spinning generator shows as ~1 core whatever the rate.
import { readFileSync } from 'node:fs';
import { median, startNginx, watchGolive } from './lib.js';

/** utime + stime of every thread of the process, in clock ticks (10 ms). */
function processTicks(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'latin1');
  const x = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return Number(x[11]) + Number(x[12]);
}

async function once(url, rate, seconds) {
  let ticks = 0;
  // The last reading before exit is the process's total.
  const d = await watchGolive(['load', url, '--rate', String(rate), '-d', `${seconds}s`, '--threads', '1', '--connections', '50'], {
    everyMs: 20,
    sample: (pid) => (ticks = processTicks(pid)),
  });
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
