/**
 * `golive worker`: one load worker as a process. With --stdio (how golive runs process workers) the
 * protocol messages arrive as NDJSON on stdin and leave as NDJSON on stdout: the messages the threads use.
 */
import { createInterface } from 'node:readline';
import type { ToWorkerMessage } from '../engine/protocol.js';
import { createLoadWorker } from '../engine/worker/load-worker.js';

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

if (import.meta.url === `file://${process.argv[1]}`) void runStdioWorker();
