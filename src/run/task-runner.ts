/**
 * The run as tasks (as Playwright's task runner has it): each task's teardown is registered before its
 * setup runs, so a setup that fails halfway is torn down too, and teardowns run in reverse order whatever
 * happened — every early failure (a refused context, a missing permission) leaves nothing behind.
 */
export interface Task<Context> {
  title: string;
  setup(ctx: Context): Promise<void> | void;
  /** Told why the run ended early (the error), or undefined when every setup ran. */
  teardown?(ctx: Context, failure: unknown): Promise<void> | void;
}

/** Runs every setup in order, then every registered teardown in reverse; a teardown that throws is told to `onTeardownFailure`, never stops the others. */
export async function runTasks<Context>(ctx: Context, tasks: readonly Task<Context>[], onTeardownFailure: (message: string) => void): Promise<void> {
  const registered: Task<Context>[] = [];
  let failure: unknown;
  try {
    for (const task of tasks) {
      registered.push(task);
      await task.setup(ctx);
    }
  } catch (err) {
    failure = err ?? new Error('a task failed');
    throw err;
  } finally {
    for (const task of registered.reverse()) {
      try {
        await task.teardown?.(ctx, failure);
      } catch (err) {
        onTeardownFailure(`could not tear down ${task.title}: ${(err as Error).message}`);
      }
    }
  }
}
