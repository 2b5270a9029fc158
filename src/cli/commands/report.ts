/** `golive report <folder>`: HTML, JUnit XML and Markdown written again from a results folder. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { writePartialSummary } from '../../results/partial-summary.js';
import { writeReports } from '../../report/write-reports.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { CliIo } from '../io.js';

export function reportCommand(io: CliIo, folder: string, o: { html?: boolean; junit?: boolean; markdown?: boolean; out?: string }): ExitCode {
  const asked = (['html', 'junit', 'markdown'] as const).filter((r) => o[r]);
  const dir = path.resolve(io.cwd, folder);
  if (!existsSync(path.join(dir, 'summary.json')) && writePartialSummary(dir)) {
    io.stderr.write(
      `⚠ ${folder} has no summary.json (the run did not finish): the reports are built from its timeline and events, and say they are partial\n`,
    );
  }
  const written = writeReports(dir, asked.length ? [...asked] : ['html', 'junit', 'markdown'], o.out ? path.resolve(io.cwd, o.out) : dir);
  for (const file of Object.values(written)) io.stdout.write(`wrote ${path.relative(io.cwd, file) || file}\n`);
  return EXIT.passed;
}
