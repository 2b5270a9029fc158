/**
 * Waiting for something to happen, never for a fixed time: the condition (a file written, a process gone)
 * is checked often until it holds, with a deadline generous enough for a busy 2-core CI machine.
 */
export async function waitFor(what: string, condition: () => boolean, deadlineMs = 30_000): Promise<void> {
  const until = Date.now() + deadlineMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error(`timed out after ${deadlineMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** As waitFor, for a condition that must ask something (an HTTP endpoint): checked every 100 ms. */
export async function waitForAsync(what: string, condition: () => Promise<boolean>, deadlineMs = 30_000): Promise<void> {
  const until = Date.now() + deadlineMs;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error(`timed out after ${deadlineMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
