/** `golive recover [folder]`: undoes what killed runs left behind, from their journals (without a folder: ./golive-results and every registered run). */
import { exitCodeOf, type ExitCode } from '../../api/exit-codes.js';
import { recover } from '../../api/recover.js';
import type { CliIo } from '../io.js';

export async function recoverCommand(io: CliIo, folder: string | undefined): Promise<ExitCode> {
  const outcome = await recover({ cwd: io.cwd, ...(folder !== undefined ? { folder } : {}) });
  for (const line of outcome.undone) io.stdout.write(`✓ undone: ${line}\n`);
  for (const line of outcome.skipped) io.stdout.write(`· skipped: ${line}\n`);
  for (const line of outcome.failed) io.stderr.write(`✗ ${line}\n`);
  if (outcome.undone.length + outcome.failed.length === 0) io.stdout.write('nothing to recover\n');
  return exitCodeOf(outcome);
}
