/**
 * The helper thread of precise-wake.ts: sleeps in Atomics.wait until the wanted moment (or a new one is
 * set), posts one message, then sleeps until the next moment is set. A moment of -1 ends the thread.
 */
import { parentPort, workerData } from 'node:worker_threads';

const shared = (workerData as { shared: SharedArrayBuffer }).shared;
const control = new Int32Array(shared, 0, 2);
const due = new Float64Array(shared, 8, 1);
const now = (): number => performance.timeOrigin + performance.now();

let generation = Atomics.load(control, 0);
parentPort!.postMessage('ready');
for (;;) {
  const at = due[0]!;
  if (at < 0) break;
  if (at === 0) {
    Atomics.wait(control, 0, generation); // nothing wanted yet
    generation = Atomics.load(control, 0);
    continue;
  }
  const wait = at - now();
  if (wait > 0 && Atomics.wait(control, 0, generation, wait) !== 'timed-out') {
    generation = Atomics.load(control, 0); // a new moment was set meanwhile
    continue;
  }
  parentPort!.postMessage(0);
  // Fired: sleep until the worker sets its next moment.
  Atomics.wait(control, 0, generation);
  generation = Atomics.load(control, 0);
}
parentPort!.close();
