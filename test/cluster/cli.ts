/**
 * `npm run cluster -- build | up [--dir DIR] | down [--dir DIR]`: a real Kubernetes 1.20 control plane on
 * loopback with process kubelets and the demo app, to try golive on (see README). `up` starts it in the
 * background and prints what to export; `down` stops everything `up` started and removes its folder.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { controlPlaneMissing, KUBERNETES_VERSION } from './control-plane.js';
import { deployDemo } from './demo.js';
import { startTestCluster } from './test-cluster.js';

const root = path.resolve(import.meta.dirname, '../../..');
const MARKER = '.golive-test-cluster';

interface State {
  pid: number;
  kubeconfig: string;
  url: string;
}

function usage(): never {
  process.stderr.write('usage: npm run cluster -- build | up [--dir DIR] | down [--dir DIR]\n');
  process.exit(2);
}

function dirFrom(args: string[]): string {
  const i = args.indexOf('--dir');
  if (i >= 0 && !args[i + 1]) usage();
  return path.resolve(i >= 0 ? args[i + 1]! : path.join(homedir(), '.cache', 'golive', 'cluster'));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function readState(dir: string): State | null {
  try {
    return JSON.parse(readFileSync(path.join(dir, 'state.json'), 'utf8')) as State;
  } catch {
    return null;
  }
}

function build(): void {
  const r = spawnSync('bash', [path.join(root, 'test/cluster/build-kubernetes.sh')], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

async function up(dir: string): Promise<void> {
  const running = readState(dir);
  if (running && alive(running.pid)) {
    process.stdout.write(`already running (pid ${running.pid})\nexport KUBECONFIG=${running.kubeconfig}\ndemo app: ${running.url}\n`);
    return;
  }
  if (controlPlaneMissing()) build();
  if (existsSync(dir) && !existsSync(path.join(dir, MARKER))) {
    process.stderr.write(`${dir} exists and was not made by npm run cluster: choose another --dir\n`);
    process.exit(2);
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, MARKER), '');
  const log = openSync(path.join(dir, 'cluster.log'), 'a');
  const child = spawn(process.execPath, [import.meta.filename, 'serve', '--dir', dir], { detached: true, stdio: ['ignore', log, log] });
  child.unref();
  process.stdout.write(`starting Kubernetes v${KUBERNETES_VERSION} on loopback (log: ${path.join(dir, 'cluster.log')})…\n`);
  const until = Date.now() + 300_000;
  while (Date.now() < until) {
    const state = readState(dir);
    if (state) {
      process.stdout.write(
        [
          `the control plane, 6 process kubelets in 3 zones and the demo app run in the background (pid ${state.pid}).`,
          `export KUBECONFIG=${state.kubeconfig}`,
          `export GOLIVE_DEMO_K8S=examples/demo-app/k8s-1.20   # the demo's manifests for 1.20, for redeploy`,
          `demo app (NodePort): ${state.url}`,
          `try: npx golive run -c examples/demo-app/k8s/golive.config.ts --allow-destroy`,
          `stop: npm run cluster -- down${dir === dirFrom([]) ? '' : ` --dir ${dir}`}`,
          '',
        ].join('\n'),
      );
      return;
    }
    if (child.exitCode !== null || !alive(child.pid!)) {
      process.stderr.write(`the cluster did not start; its log:\n${readFileSync(path.join(dir, 'cluster.log'), 'utf8').slice(-4000)}\n`);
      process.exit(1);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  process.stderr.write('the cluster did not start within 5 minutes\n');
  process.exit(1);
}

async function serve(dir: string): Promise<void> {
  const cluster = await startTestCluster({ dir });
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void cluster.stop().finally(() => {
      rmSync(path.join(dir, 'state.json'), { force: true });
      process.exit(0);
    });
  };
  for (const s of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(s, stop);
  const url = await deployDemo(cluster);
  writeFileSync(path.join(dir, 'state.json'), JSON.stringify({ pid: process.pid, kubeconfig: cluster.kubeconfig, url } satisfies State));
  process.stdout.write(`ready: ${url}\n`);
}

async function down(dir: string): Promise<void> {
  const state = readState(dir);
  if (state && alive(state.pid)) {
    process.kill(state.pid, 'SIGTERM');
    const until = Date.now() + 30_000;
    while (alive(state.pid) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    if (alive(state.pid)) process.kill(-state.pid, 'SIGKILL');
  }
  if (existsSync(path.join(dir, MARKER))) rmSync(dir, { recursive: true, force: true });
  process.stdout.write(state ? 'stopped\n' : 'nothing was running\n');
}

const [command, ...rest] = process.argv.slice(2);
if (command === 'build') build();
else if (command === 'up') await up(dirFrom(rest));
else if (command === 'serve') await serve(dirFrom(rest));
else if (command === 'down') await down(dirFrom(rest));
else usage();
