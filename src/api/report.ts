/** `report()`: HTML, JUnit XML and Markdown written again from a results folder, also of a run that was killed. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { writePartialSummary } from '../results/partial-summary.js';
import { writeReports, type FileReport } from '../report/write-reports.js';

export type { FileReport } from '../report/write-reports.js';

export interface ReportOptions {
  /** What relative folders are resolved against. @default process.cwd() */
  cwd?: string;
  /** @default ['html', 'junit', 'markdown'] */
  formats?: FileReport[];
  /** Where to write. @default the results folder */
  outDir?: string;
  /** Told when the folder has no summary (the run did not finish) and the reports are partial. */
  onWarning?: (message: string) => void;
}

export interface ReportOutcome {
  /** Each report written, by format: absolute paths. */
  files: Partial<Record<FileReport, string>>;
  /** The run did not finish: the reports are built from its timeline and events, and say so. */
  partial: boolean;
}

export function report(folder: string, options: ReportOptions = {}): Promise<ReportOutcome> {
  // The results are read and written synchronously today; a promise keeps the API when they are not.
  return new Promise((resolve) => resolve(writeAll(folder, options)));
}

function writeAll(folder: string, options: ReportOptions): ReportOutcome {
  const cwd = options.cwd ?? process.cwd();
  const dir = path.resolve(cwd, folder);
  const partial = !existsSync(path.join(dir, 'summary.json')) && writePartialSummary(dir) !== undefined;
  if (partial) {
    options.onWarning?.(`${folder} has no summary.json (the run did not finish): the reports are built from its timeline and events, and say they are partial`);
  }
  const formats = options.formats?.length ? options.formats : (['html', 'junit', 'markdown'] as FileReport[]);
  const files = writeReports(dir, formats, options.outDir !== undefined ? path.resolve(cwd, options.outDir) : dir);
  return { files, partial };
}
