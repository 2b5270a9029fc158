// The generator's own cost in the open model, at fixed rates against nginx, golive pinned to the generator
// core: CPU per request of the whole process (every thread, from /proc/<pid>/stat; start-up, warm-up and the
// reports included) in an N-second run, and in steady state: the difference between a 15 s and a 5 s run,
// so start-up and reports cancel out. Beside it, h2load --h1 at the same rate (its CPU per request, the same
// way), and golive's start lag. A spinning generator shows as ~1 core whatever the rate.
import { readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { GEN_CPU, has, median, pinned, startNginx, watchGolive } from './lib.js';

/** utime + stime of every thread of the process, in clock ticks (10 ms). */
function processTicks(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'latin1');
  const x = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return Number(x[11]) + Number(x[12]);
}

async function golive(url, rate, seconds) {
  let ticks = 0;
  // The last reading before exit is the process's total.
  const d = await watchGolive(['load', url, '--rate', String(rate), '-d', `${seconds}s`, '--threads', '1', '--connections', '50'], {
    everyMs: 20,
    sample: (pid) => (ticks = processTicks(pid)),
  });
  return { cpuMs: ticks * 10, requests: d.requests.total, lagP99Ms: d.generator.lagP99Ms, p50: d.latencyMs.p50, p99: d.latencyMs.p99 };
}

async function h2load(url, rate, seconds) {
  const [cmd, args] = pinned(GEN_CPU, 'h2load', ['--h1', '-c50', '--rps', String(rate / 50), '-D', String(seconds), url]);
  const child = spawn(cmd, args, { stdio: 'ignore' });
  let ticks = 0;
  const timer = setInterval(() => {
    try {
      ticks = processTicks(child.pid);
    } catch {
      // ended
    }
  }, 20);
  await new Promise((r) => child.on('close', r));
  clearInterval(timer);
  return (ticks * 10 * 1000) / (rate * seconds);
}

export async function generatorCpuBench({ seconds, reps, rates = [1000, 5000] }) {
  const nginx = await startNginx(18_193);
  try {
    const rows = {};
    for (const rate of rates) {
      const runs = [];
      const steady = [];
      const peer = [];
      for (let i = 0; i < reps; i++) {
        const whole = await golive(nginx.url, rate, seconds);
        runs.push({ ...whole, cpuUsPerRequest: (whole.cpuMs * 1000) / whole.requests });
        const short = await golive(nginx.url, rate, 5);
        const long = await golive(nginx.url, rate, 15);
        steady.push(((long.cpuMs - short.cpuMs) * 1000) / (long.requests - short.requests));
        if (has('h2load')) peer.push(await h2load(nginx.url, rate, seconds));
      }
      rows[rate] = {
        ...Object.fromEntries(['cpuUsPerRequest', 'lagP99Ms', 'p50', 'p99'].map((k) => [k, median(runs.map((r) => r[k]))])),
        steadyUsPerRequest: median(steady),
        h2loadUsPerRequest: peer.length ? median(peer) : null,
      };
    }
    return rows;
  } finally {
    nginx.stop();
  }
}
