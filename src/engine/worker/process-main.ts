/**
 * A load worker's process entry, beside the thread's (thread-main.ts): `golive worker`, and what the
 * engine spawns for process workers. With --stdio (how golive runs process workers) the
 * protocol messages arrive as NDJSON on stdin and leave as NDJSON on stdout: the messages the threads use.
 */
import { createInterface } from 'node:readline';
import type { ToWorkerMessage } from '../protocol.js';
import { createLoadWorker } from './load-worker.js';
import { readJsonFile } from '../../files.js';
import { workerPlanFileSchema } from '../../model/worker-plan-schema.js';

/** A plan holds the load's requests and data rows: a ConfigMap holds at most 1 MiB. */
const MAX_PLAN_BYTES = 16 * 1024 * 1024;

export function runStdioWorker(): Promise<void> {
  const worker = createLoadWorker((message) => {
    process.stdout.write(`${JSON.stringify(message)}\n`);
    if (message.type === 'done' || message.type === 'error') setImmediate(() => process.exit(message.type === 'done' ? 0 : 1));
  });
  return new Promise((resolve) => {
    let initialised = false;
    const lines = createInterface({ input: process.stdin });
    lines.on('line', (line) => {
      if (!line.trim()) return;
      const message = JSON.parse(line) as ToWorkerMessage;
      if (message.type === 'init') initialised = true;
      worker.handle(message);
    });
    // The coordinator is gone (its end of stdin closed): stop, so no load runs without an owner. A started
    // worker then ends by itself after its final snapshot (process.exit above); one never started just returns.
    lines.on('close', () => {
      worker.handle({ type: 'stop' });
      if (!initialised) resolve();
    });
  });
}

/**
 * A worker in a pod: the plan, the worker count and the shared start time come from a file (a ConfigMap),
 * its index from JOB_COMPLETION_INDEX. It starts by itself at the shared time, writes the protocol to
 * stdout (followed through pods/log) and stops on SIGTERM (the coordinator deletes the pod).
 */
export function runPlannedWorker(file: string, indexText: string | undefined): Promise<void> {
  const planned = readJsonFile(file, workerPlanFileSchema, MAX_PLAN_BYTES);
  const index = Number(indexText ?? process.env['JOB_COMPLETION_INDEX'] ?? 0);
  const worker = createLoadWorker((message) => {
    process.stdout.write(`${JSON.stringify(message)}\n`);
    if (message.type === 'ready') worker.handle({ type: 'start', startAtEpochMs: planned.startAtEpochMs });
    if (message.type === 'done' || message.type === 'error') setImmediate(() => process.exit(message.type === 'done' ? 0 : 1));
  });
  process.on('SIGTERM', () => worker.handle({ type: 'stop' }));
  worker.handle({ type: 'init', init: { plan: planned.plan, index, count: planned.count } });
  return new Promise(() => undefined); // ends through process.exit above
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const at = process.argv.indexOf('--plan');
  const ix = process.argv.indexOf('--index');
  if (at > 0) void runPlannedWorker(process.argv[at + 1]!, ix > 0 ? process.argv[ix + 1] : undefined);
  else void runStdioWorker();
}
