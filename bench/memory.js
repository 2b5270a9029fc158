// Memory over a long open-model run: golive's RSS (main process + worker threads share it) sampled
// every 10 s while it loads nginx at a fixed rate.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GEN_CPU, GOLIVE, pinned, startNginx } from './lib.js';

function rssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024;
}

export async function memoryBench({ seconds, rate }) {
  const nginx = await startNginx(18_183);
  const out = mkdtempSync(path.join(tmpdir(), 'golive-bench-mem-'));
  const [cmd, args] = pinned(GEN_CPU, process.execPath, [
    GOLIVE,
    'load',
    nginx.url,
    '--rate',
    String(rate),
    '-d',
    `${seconds}s`,
    '--threads',
    '1',
    '--out',
    out,
  ]);
  const child = spawn(cmd, args, { stdio: 'ignore', env: { ...process.env, CI: 'true' } });
  const samples = [];
  const pid = () => (cmd === 'taskset' ? child.pid : child.pid);
  const timer = setInterval(() => {
    try {
      samples.push(Math.round(rssMb(pid())));
    } catch {
      /* the process just ended */
    }
  }, 10_000);
  await new Promise((r) => child.on('close', r));
  clearInterval(timer);
  nginx.stop();
  return { samples, maxMb: Math.max(...samples), firstMb: samples[0], lastMb: samples[samples.length - 1] };
}
