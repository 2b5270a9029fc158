/**
 * One replica: the user's command as a child process in its own process group (so every process it starts
 * goes with it), its readiness, and its termination: out of rotation, SIGTERM, SIGKILL after the grace period.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import http from 'node:http';
import { sleep } from '../../abortable.js';
import { processesCarrying, signalEach } from '../../safety/processes.js';
import { groupMembers, listeningPorts } from './process-group.js';
import type { ProbeCheck } from './schema.js';
import net from 'node:net';

export type ReplicaState = 'starting' | 'ready' | 'not-ready' | 'terminating' | 'exited';

export interface ReplicaSpec {
  id: string;
  command: string;
  cwd: string;
  env: Record<string, string>;
  port: number;
  node: string;
  zone: string;
  revision: number;
  logFile: string;
  readiness: { check: ProbeCheck; periodMs: number; failureThreshold: number };
}

export interface ReplicaEvents {
  /** `crashed`: it exited without golive asking it to (only for `exited`). */
  onState(replica: Replica, state: ReplicaState, detail: string, crashed: boolean): void;
}

export class Replica {
  readonly spec: ReplicaSpec;
  state: ReplicaState = 'starting';
  readonly startedAt = performance.now();
  private readonly child: ChildProcess;
  private readonly exited: Promise<void>;
  private probeTimer: NodeJS.Timeout | undefined;
  private failures = 0;
  /** The last readiness probe's answer (`readiness 503`, `readiness probe: ECONNREFUSED`). */
  lastProbe = 'no probe answered yet';
  /** The last lines of its output (each cut at 300 characters). */
  readonly tail: string[] = [];

  constructor(
    spec: ReplicaSpec,
    private readonly events: ReplicaEvents,
  ) {
    this.spec = spec;
    const log = createWriteStream(spec.logFile, { flags: 'a' });
    // A simple command replaces the shell (exec), so signals reach the app itself, as in a container.
    const command = /[;&|`$()<>\n]/.test(spec.command) ? spec.command : `exec ${spec.command}`;
    this.child = spawn('sh', ['-c', command], {
      cwd: spec.cwd,
      env: { ...process.env, ...spec.env },
      detached: true, // its own process group: signals reach everything the command started
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout?.pipe(log);
    this.child.stderr?.pipe(log);
    // The last lines it printed: what a crash at start says (a missing module, a port in use).
    for (const stream of [this.child.stdout, this.child.stderr]) stream?.on('data', (d: Buffer) => this.keepTail(d));
    this.exited = new Promise((resolve) => {
      this.child.on(
        'exit',
        (code, signal) =>
          void this.groupGone().then(() => {
            signalEach(this.escaped(), 'SIGKILL');
            this.stopProbing();
            const was = this.state;
            this.state = 'exited';
            const how = signal ? `killed by ${signal}` : `exited with code ${code}`;
            const crashed = was !== 'terminating';
            this.events.onState(this, 'exited', crashed ? `${how} unexpectedly` : how, crashed);
            resolve();
          }),
      );
      this.child.on('error', () => resolve());
    });
    this.probe();
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  /**
   * Why it is not ready, from its last probe: a refused connection on a replica that was never ready is an
   * app not listening on the port in $PORT (it may listen on a fixed one).
   */
  whyNotReady(): string {
    if (this.state !== 'starting' || !this.lastProbe.endsWith('ECONNREFUSED')) return `last readiness probe of ${this.spec.id}: ${this.lastProbe}`;
    const ports = this.pid ? listeningPorts(this.pid) : [];
    if (ports.includes(this.spec.port))
      return `${this.spec.id} listens on its port ${this.spec.port} but not on 127.0.0.1 (its probe: ECONNREFUSED): have it listen on 127.0.0.1 or every address`;
    return `${this.spec.id} never listened on 127.0.0.1:${this.spec.port}, the port golive gave it in $PORT (its probe: ECONNREFUSED)${ports.length ? `; it listens on ${ports.join(', ')}` : ''}: have the app listen on $PORT (process.env.PORT in Node)`;
  }

  get alive(): boolean {
    return this.state !== 'exited';
  }

  /** Graceful: out of rotation first, then SIGTERM, then SIGKILL after `graceMs`. */
  async terminate(graceMs: number): Promise<void> {
    if (!this.alive) return;
    if (this.state !== 'terminating') {
      this.stopProbing();
      this.setState('terminating', `SIGTERM, ${graceMs} ms grace`);
      this.signal('SIGTERM');
    }
    const timer = setTimeout(() => this.signal('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** Abrupt: SIGKILL now (a node or zone lost). */
  async kill(): Promise<void> {
    if (!this.alive) return;
    this.stopProbing();
    this.state = 'terminating';
    this.signal('SIGKILL');
    await this.exited;
  }

  /**
   * A replica ends when its whole process group has: `sh -c` may exit on SIGTERM while the app it started
   * is still draining, like a container whose main process ends only when its children do.
   */
  private async groupGone(): Promise<void> {
    const pgid = this.child.pid;
    if (!pgid) return;
    while (groupHasLiveMembers(pgid)) await sleep(20);
  }

  private signal(sig: NodeJS.Signals): void {
    try {
      if (this.child.pid) process.kill(-this.child.pid, sig);
    } catch {
      // the group is already gone
    }
    signalEach(this.escaped(), sig);
  }

  /**
   * What the replica started outside its process group (`setsid`), found by the replica's id in the
   * environment: a pod's container takes such helpers with it, so a replica does too.
   */
  private escaped(): number[] {
    const { GOLIVE_RUN_ID, GOLIVE_REPLICA } = this.spec.env;
    if (!GOLIVE_RUN_ID || !GOLIVE_REPLICA) return [];
    const group = this.child.pid ? (groupMembers(this.child.pid) ?? []) : [];
    return processesCarrying({ GOLIVE_RUN_ID, GOLIVE_REPLICA }).filter((pid) => !group.includes(pid));
  }

  private setState(state: ReplicaState, detail: string): void {
    if (this.state === state) return;
    this.state = state;
    this.events.onState(this, state, detail, false);
  }

  private probe(): void {
    const { periodMs, failureThreshold } = this.spec.readiness;
    const check = (): void => {
      if (this.state === 'terminating' || this.state === 'exited') return;
      const answer = (ok: boolean, detail: string): void => this.result(ok, detail, failureThreshold);
      probeOnce(this.spec.readiness.check, this.spec, periodMs, answer);
    };
    // Probe fast while starting so replicas join as soon as they can, then at the configured period.
    const startup = setInterval(
      () => {
        if (this.state !== 'starting') {
          clearInterval(startup);
          return;
        }
        check();
      },
      Math.min(50, periodMs),
    );
    this.probeTimer = setInterval(check, periodMs);
    this.stopStartup = () => clearInterval(startup);
  }

  private stopStartup: () => void = () => undefined;

  private keepTail(d: Buffer): void {
    for (const line of d.toString('utf8').split('\n')) {
      if (!line.trim()) continue;
      this.tail.push(line.slice(0, 300));
      if (this.tail.length > 20) this.tail.shift();
    }
  }

  private result(ok: boolean, detail: string, failureThreshold: number): void {
    if (this.state === 'terminating' || this.state === 'exited') return;
    this.lastProbe = detail;
    if (ok) {
      this.failures = 0;
      if (this.state !== 'ready') {
        this.stopStartup();
        this.setState('ready', detail);
      }
    } else if (this.state === 'ready' && ++this.failures >= failureThreshold) {
      this.setState('not-ready', detail);
    }
  }

  private stopProbing(): void {
    if (this.probeTimer) clearInterval(this.probeTimer);
    this.stopStartup();
  }
}

/** True while a process of the group still runs (zombies waiting to be reaped do not count). */
function groupHasLiveMembers(pgid: number): boolean {
  const members = groupMembers(pgid);
  if (members) return members.length > 0;
  try {
    process.kill(-pgid, 0); // no /proc: ask the kernel about the group
    return true;
  } catch {
    return false;
  }
}

/** One readiness check, as the kubelet makes it: an HTTP GET (2xx or 3xx), a TCP connect, or a command that exits 0. */
function probeOnce(check: ProbeCheck, spec: ReplicaSpec, timeoutMs: number, answer: (ok: boolean, detail: string) => void): void {
  switch (check.kind) {
    case 'http': {
      const req = http.get({ host: '127.0.0.1', port: spec.port, path: check.path, agent: false, timeout: timeoutMs }, (res) => {
        res.resume();
        answer((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 400, `readiness ${res.statusCode}`);
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (err) => answer(false, `readiness probe: ${(err as NodeJS.ErrnoException).code ?? err.message}`));
      return;
    }
    case 'tcp': {
      const socket = net.connect({ host: '127.0.0.1', port: spec.port });
      socket.setTimeout(timeoutMs, () => socket.destroy(new Error('timeout')));
      socket.once('connect', () => {
        socket.destroy();
        answer(true, 'readiness tcp: connected');
      });
      socket.once('error', (err) => answer(false, `readiness probe: ${(err as NodeJS.ErrnoException).code ?? err.message}`));
      return;
    }
    case 'exec': {
      // The replica's own environment ($PORT among it), in its folder, bounded by the period.
      const child = spawn('sh', ['-c', check.command], { cwd: spec.cwd, env: { ...process.env, ...spec.env }, stdio: 'ignore', timeout: timeoutMs });
      child.once('error', (err) => answer(false, `readiness exec: ${err.message}`));
      child.once('exit', (code, signal) => answer(code === 0, `readiness exec: ${signal ? `killed by ${signal}` : `exit code ${code}`}`));
      return;
    }
  }
}
