/**
 * Wakes the load worker at a given moment with sub-millisecond precision, without spinning. libuv's timers
 * have millisecond resolution (a 1 ms timeout fires 1–2 ms later), so the open model used to spin on
 * setImmediate whenever the next start was under 1 ms away: from ~1,000 req/s a whole core burned, taken
 * from the application under test. Here a small helper thread sleeps in the kernel (Atomics.wait, a futex
 * with a µs timeout) until the moment and then posts a message, which wakes the worker's event loop at once,
 * so the worker waits in epoll, handling responses as they come, until its next start is due.
 */
import { Worker } from 'node:worker_threads';

/** Slot 0 counts changes of the wanted moment (the helper waits on it); the moment is an epoch time, ms. */
const GENERATION = 0;
/** A helper thread that has not started by then is given up on (timers are used instead). */
const START_TIMEOUT_MS = 10_000;

/**
 * A wake-up arrives ~0.1 ms after the moment (the kernel's timer slack, then the message crossing threads).
 * It is never asked early: a task run before its moment would start a request before it was meant to, and
 * spinning out the last µs cost more CPU than the request itself.
 */
export class PreciseWake {
  private readonly control: Int32Array;
  private readonly due: Float64Array;
  private closed = false;
  /** Called at each wanted moment; and when the helper thread is lost (the caller falls back to timers). */
  onWake: () => void = () => undefined;
  onLost: () => void = () => undefined;

  private constructor(thread: Worker, shared: SharedArrayBuffer) {
    this.control = new Int32Array(shared, 0, 2);
    this.due = new Float64Array(shared, 8, 1);
    thread.on('message', () => {
      if (!this.closed) this.onWake();
    });
    thread.on('exit', () => {
      if (!this.closed) this.onLost();
    });
    thread.unref();
  }

  /** Starts the helper thread; resolves once it runs (so the first starts are not late), or with null. */
  static start(): Promise<PreciseWake | null> {
    return new Promise((resolve) => {
      let thread: Worker;
      const shared = new SharedArrayBuffer(16);
      try {
        thread = new Worker(new URL('./precise-wake-thread.js', import.meta.url), { workerData: { shared } });
      } catch {
        resolve(null);
        return;
      }
      const timer = setTimeout(() => {
        void thread.terminate();
        resolve(null);
      }, START_TIMEOUT_MS);
      thread.once('message', () => {
        clearTimeout(timer);
        resolve(new PreciseWake(thread, shared));
      });
      thread.once('error', () => {
        clearTimeout(timer);
        resolve(null);
      });
    });
  }

  /** Wake once at `epochMs` (replacing any earlier request). */
  at(epochMs: number): void {
    this.due[0] = epochMs;
    Atomics.add(this.control, GENERATION, 1);
    Atomics.notify(this.control, GENERATION);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.due[0] = -1;
    Atomics.add(this.control, GENERATION, 1);
    Atomics.notify(this.control, GENERATION);
  }
}
