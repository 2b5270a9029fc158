/** Entry point of a load worker thread: the protocol messages over the thread's port. */
import { parentPort } from 'node:worker_threads';
import type { ToWorkerMessage } from '../protocol.js';
import { createLoadWorker } from './load-worker.js';

const port = parentPort;
if (!port) throw new Error('Internal error: thread-main.js must run in a worker thread');
const worker = createLoadWorker((message) => port.postMessage(message));
port.on('message', (message: ToWorkerMessage) => worker.handle(message));
