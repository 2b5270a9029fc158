/** `report()`: HTML, JUnit XML and Markdown written again from a results folder, also of a run that was killed. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { inert } from '../model/format.js';
import { writePartialSummary } from '../results/partial-summary.js';
import { readResults } from '../results/results-reader.js';
import { writeReports, type FileReport } from '../report/write-reports.js';

export type { FileReport } from '../report/write-reports.js';

export interface ReportOptions {
  /** What relative folders are resolved against. @default process.cwd() */
  cwd?: string;
  /** @default ['html', 'junit', 'markdown'] */
  formats?: FileReport[];
  /** Where to write. @default the results folder */
  outDir?: string;
  /** Told when the folder has no summary (the run did not finish) and the reports are partial, or a line a crash cut short was left out. */
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
  const notes: string[] = [];
  const partial = !existsSync(path.join(dir, 'summary.json')) && writePartialSummary(dir, notes) !== undefined;
  if (partial) {
    options.onWarning?.(
      `${inert(folder)} has no summary.json (the run did not finish): the reports are built from its timeline and events, and say they are partial`,
    );
  }
  // Every file is read through its schema: a damaged or crafted one throws an InputError (exit 2) naming it.
  const results = readResults(dir);
  for (const note of new Set([...notes, ...results.notes])) options.onWarning?.(inert(note));
  const formats = options.formats?.length ? options.formats : (['html', 'junit', 'markdown'] as FileReport[]);
  const files = writeReports(results, formats, options.outDir !== undefined ? path.resolve(cwd, options.outDir) : dir);
  return { files, partial };
}
