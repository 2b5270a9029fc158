/** `golive worker` (internal): one load worker speaking the protocol as NDJSON on stdin/stdout, or a worker pod's plan. */
import { runPlannedWorker, runStdioWorker } from '../../engine/worker/process-main.js';
import { EXIT, type ExitCode } from '../../api/exit-codes.js';

export async function workerCommand(o: { plan?: string; index?: string }): Promise<ExitCode> {
  await (o.plan ? runPlannedWorker(o.plan, o.index) : runStdioWorker());
  return EXIT.passed;
}
