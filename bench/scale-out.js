// Scale-out on one machine: total req/s with 1, 2 and 4 worker processes against nginx, and what the
// coordinator (the golive process that merges the snapshots) costs in CPU per worker.
import { readFileSync } from 'node:fs';
import { startNginx, watchGolive } from './lib.js';

const TICKS_PER_S = 100; // Linux USER_HZ

function cpuSeconds(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'latin1').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) / TICKS_PER_S; // utime + stime of this process only
}

export async function scaleOutBench({ seconds }) {
  const nginx = await startNginx(18_185);
  const rows = [];
  try {
    for (const workers of [1, 2, 4]) {
      let cpu = 0;
      const d = await watchGolive(['load', nginx.url, '--vus', '50', '--workers', String(workers), '-d', `${seconds}s`], {
        cpu: null,
        everyMs: 100,
        sample: (pid) => (cpu = cpuSeconds(pid)),
      });
      const rps = d.requests.total / (d.load.durationMs / 1000);
      rows.push({ workers, rps, coordinatorCpuPct: (cpu / seconds) * 100, perWorkerMsPerS: (cpu * 1000) / seconds / workers });
    }
  } finally {
    nginx.stop();
  }
  return rows;
}
