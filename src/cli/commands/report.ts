/** `golive report <folder>`: HTML, JUnit XML and Markdown written again from a results folder. */
import path from 'node:path';
import { exitCodeOf, type ExitCode } from '../../api/exit-codes.js';
import { report } from '../../api/report.js';
import type { CliIo } from '../io.js';

export async function reportCommand(io: CliIo, folder: string, o: { html?: boolean; junit?: boolean; markdown?: boolean; out?: string }): Promise<ExitCode> {
  const outcome = await report(folder, {
    cwd: io.cwd,
    formats: (['html', 'junit', 'markdown'] as const).filter((r) => o[r]),
    ...(o.out ? { outDir: o.out } : {}),
    onWarning: (message) => io.stderr.write(`⚠ ${message}\n`),
  });
  for (const file of Object.values(outcome.files)) io.stdout.write(`wrote ${path.relative(io.cwd, file) || file}\n`);
  return exitCodeOf(outcome);
}
