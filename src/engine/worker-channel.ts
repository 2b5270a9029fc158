/**
 * How the coordinator talks to one load worker: a thread (postMessage) or a child process (NDJSON over
 * stdin/stdout). The messages are the same (protocol.ts); only the transport differs.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Worker } from 'node:worker_threads';
import type { FromWorkerMessage, ToWorkerMessage } from './protocol.js';

export interface WorkerChannel {
  post(message: ToWorkerMessage): void;
  onMessage(listener: (message: FromWorkerMessage) => void): void;
  /** The worker is gone; `reason` says how when it did not end normally. */
  onExit(listener: (reason: string | undefined) => void): void;
  terminate(): void;
}

export type WorkerKind = 'threads' | 'processes' | 'kubernetes';

/**
 * Where a run's workers come from. Threads and processes are built in; the kubernetes platform brings a
 * fleet of its own (an Indexed Job), so the engine stays free of any cluster code.
 */
export interface WorkerFleet {
  readonly kind: WorkerKind;
  /** Opens one channel per worker. */
  open(count: number): Promise<WorkerChannel[]>;
  /**
   * Time zero fixed in advance (epoch ms): workers that cannot be told when to start (pods) start on their
   * own at this time. Absent: the engine picks it once every worker is ready.
   */
  fixedStartAtEpochMs?: number;
  /** Head start between "go" and time zero when the engine picks it. */
  startDelayMs: number;
  /** Removes what the fleet created. Never throws: returns what could not be removed. */
  close(): Promise<string[]>;
}

export function localFleet(kind: 'threads' | 'processes'): WorkerFleet {
  return {
    kind,
    open: (count) => Promise.resolve(Array.from({ length: count }, () => (kind === 'threads' ? threadChannel() : processChannel()))),
    startDelayMs: kind === 'threads' ? 50 : 250, // a process worker is a fresh Node.js process
    close: () => Promise.resolve([]),
  };
}

function threadChannel(): WorkerChannel {
  const worker = new Worker(new URL('./worker/thread-main.js', import.meta.url));
  let exitListener: (reason: string | undefined) => void = () => undefined;
  let terminating = false;
  worker.on('error', (err) => exitListener(`crashed: ${err.message}`));
  worker.on('exit', (code) => exitListener(terminating || code === 0 ? undefined : `exited with code ${code}`));
  return {
    post: (m) => worker.postMessage(m),
    onMessage: (l) => {
      worker.on('message', l);
    },
    onExit: (l) => {
      exitListener = l;
    },
    terminate: () => {
      terminating = true;
      void worker.terminate();
    },
  };
}

/** `golive worker --stdio` as a child process: the same worker, one process per segment. */
function processChannel(): WorkerChannel {
  const bin = path.resolve(path.dirname(new URL(import.meta.url).pathname), 'worker', 'process-main.js');
  const child = spawn(process.execPath, [bin], { stdio: ['pipe', 'pipe', 'inherit'] });
  let exitListener: (reason: string | undefined) => void = () => undefined;
  let terminating = false;
  child.on('exit', (code, signal) => exitListener(terminating || code === 0 ? undefined : signal ? `killed by ${signal}` : `exited with code ${code}`));
  child.on('error', (err) => exitListener(`could not start: ${err.message}`));
  child.stdin.on('error', () => {
    /* the process is gone: its exit reports it */
  });
  return {
    post: (m) => {
      if (!child.stdin.destroyed) child.stdin.write(`${JSON.stringify(m)}\n`);
    },
    onMessage: (l) => {
      createInterface({ input: child.stdout }).on('line', (line) => {
        if (!line.startsWith('{')) return; // anything else on stdout is not protocol
        try {
          l(JSON.parse(line) as FromWorkerMessage);
        } catch {
          // a torn line from a dying process: its exit is reported
        }
      });
    },
    onExit: (l) => {
      exitListener = l;
    },
    terminate: () => {
      terminating = true;
      child.stdin.end();
      setTimeout(() => child.kill('SIGKILL'), 2000).unref();
    },
  };
}
