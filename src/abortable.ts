/** Waiting that a stopped run cuts short: every wait in golive goes through here. */
import { InterruptedError } from './errors.js';

/** Resolves after `ms`, or rejects with InterruptedError as soon as `signal` aborts; leaves no listener behind. */
export function sleep(ms: number, signal?: AbortSignal, what?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new InterruptedError(what));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new InterruptedError(what));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export function throwIfAborted(signal: AbortSignal, what?: string): void {
  if (signal.aborted) throw new InterruptedError(what);
}
