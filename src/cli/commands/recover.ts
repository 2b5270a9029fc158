/** `golive recover [folder]`: undoes what killed runs left behind, from their journals (without a folder: ./golive-results and every registered run). */
import path from 'node:path';
import { PLATFORM_UNDOERS } from '../../platforms/registry.js';
import { recoverFolder, recoverKnownRuns } from '../../safety/recover.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { CliIo } from '../io.js';

export async function recoverCommand(io: CliIo, folder: string | undefined): Promise<ExitCode> {
  const report = folder
    ? await recoverFolder(path.resolve(io.cwd, folder), PLATFORM_UNDOERS)
    : await recoverKnownRuns(path.resolve(io.cwd, 'golive-results'), PLATFORM_UNDOERS);
  for (const line of report.undone) io.stdout.write(`✓ undone: ${line}\n`);
  for (const line of report.skipped) io.stdout.write(`· skipped: ${line}\n`);
  for (const line of report.failed) io.stderr.write(`✗ ${line}\n`);
  if (report.undone.length + report.failed.length === 0) io.stdout.write('nothing to recover\n');
  return report.failed.length > 0 ? EXIT.incomplete : EXIT.passed;
}
