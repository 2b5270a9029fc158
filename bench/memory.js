// Memory over a long open-model run: golive's RSS (main process + worker threads share it) sampled
// every 10 s while it loads nginx at a fixed rate.
import { readFileSync } from 'node:fs';
import { startNginx, watchGolive } from './lib.js';

function rssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024;
}

export async function memoryBench({ seconds, rate }) {
  const nginx = await startNginx(18_183);
  const samples = [];
  try {
    await watchGolive(['load', nginx.url, '--rate', String(rate), '-d', `${seconds}s`, '--threads', '1'], {
      everyMs: 10_000,
      sample: (pid) => samples.push(Math.round(rssMb(pid))),
    });
  } finally {
    nginx.stop();
  }
  return { samples, maxMb: Math.max(...samples), firstMb: samples[0], lastMb: samples[samples.length - 1] };
}
