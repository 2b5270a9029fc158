// Shared helpers for the benchmarks: a pinned nginx target, pinned commands, medians.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir, cpus } from 'node:os';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '..');
export const GOLIVE = path.join(ROOT, 'bin', 'golive.js');
export const CORES = cpus().length;
/** Generator on core 0, target on core 1 (when the machine has two). */
export const GEN_CPU = '0';
export const TARGET_CPU = CORES > 1 ? '1' : '0';

const made = new Set();
/** A temp folder for this benchmark run, removed when the process exits. */
export function benchTempDir(prefix) {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  if (made.size === 0) process.once('exit', () => made.forEach((d) => rmSync(d, { recursive: true, force: true })));
  made.add(dir);
  return dir;
}

export function has(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

export function pinned(cpu, cmd, args) {
  return has('taskset') ? ['taskset', ['-c', cpu, cmd, ...args]] : [cmd, args];
}

/**
 * Starts nginx answering `return 200` (or `answer`, an nginx `return` directive) on 127.0.0.1:port, pinned to the
 * target core; `http2` makes it speak HTTP/2 with prior knowledge (h2c). Resolves once the port accepts.
 */
export async function startNginx(port, { answer = 'return 200 "ok\\n";', contentType = 'text/plain', http2 = false } = {}) {
  const dir = benchTempDir('golive-bench-nginx-');
  writeFileSync(
    path.join(dir, 'nginx.conf'),
    `worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 100000000;
  keepalive_timeout 120s;
  default_type ${contentType};
  server { listen 127.0.0.1:${port}${http2 ? ' http2' : ''}; location / { ${answer} } }
}
`,
  );
  const nginx = has('nginx') ? 'nginx' : '/usr/sbin/nginx';
  const [cmd, args] = pinned(TARGET_CPU, nginx, ['-c', path.join(dir, 'nginx.conf'), '-p', dir]);
  const child = spawn(cmd, args, { stdio: 'ignore' });
  const deadline = Date.now() + 10_000;
  while (!(await accepts(port))) {
    if (Date.now() > deadline) throw new Error(`nginx did not listen on ${port} (see ${dir}/error.log)`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return { url: `http://127.0.0.1:${port}/`, stop: () => child.kill('SIGTERM') };
}

function accepts(port) {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1', () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

/** Runs a command to completion and returns its stdout. */
export function run(cmd, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.on('close', (code) => (code === 0 || options.allowFail ? resolve(out) : reject(new Error(`${cmd} ${args.join(' ')} → ${code}\n${err}`))));
  });
}

export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Runs golive and returns the summary.json of its only drill. */
export async function runGolive(args, cpu = GEN_CPU, env = {}) {
  const out = benchTempDir('golive-bench-out-');
  const [cmd, a] = pinned(cpu, process.execPath, [GOLIVE, ...args, '--out', out]);
  await run(cmd, a, { env: { ...process.env, CI: 'true', NO_COLOR: '1', ...env }, allowFail: true });
  const drill = readSummary(out);
  rmSync(out, { recursive: true, force: true });
  return drill;
}

function readSummary(out) {
  return JSON.parse(readFileSync(path.join(out, readdirSync(out)[0], 'summary.json'), 'utf8')).drills[0];
}

/**
 * Runs golive pinned to `cpu` (null: not pinned) and calls `sample(pid)` every `everyMs` while it runs (taskset execs node,
 * so the pid is golive's own); returns the summary of its only drill.
 */
export async function watchGolive(args, { cpu = GEN_CPU, everyMs, sample }) {
  const out = benchTempDir('golive-bench-out-');
  const argv = [GOLIVE, ...args, '--out', out];
  const [cmd, a] = cpu === null ? [process.execPath, argv] : pinned(cpu, process.execPath, argv);
  const child = spawn(cmd, a, { stdio: 'ignore', env: { ...process.env, CI: 'true', NO_COLOR: '1' } });
  const timer = setInterval(() => {
    try {
      sample(child.pid);
    } catch {
      // the process just ended
    }
  }, everyMs);
  await new Promise((r) => child.on('close', r));
  clearInterval(timer);
  const drill = readSummary(out);
  rmSync(out, { recursive: true, force: true });
  return drill;
}

export function machineLoad() {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}
