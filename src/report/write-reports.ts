/** Writes the file reports (HTML, JUnit, Markdown) for a results folder. */
import { makeDirs } from '../files.js';
import path from 'node:path';
import { writeAtomically } from '../files.js';
import { renderHtmlReport } from './html-report.js';
import { renderJunit } from './junit-report.js';
import { renderMarkdown } from './markdown-report.js';
import type { StoredRun } from '../model/timeline.js';

export type FileReport = 'html' | 'junit' | 'markdown';

const DEFAULT_FILES: Record<FileReport, string> = { html: 'report.html', junit: 'junit.xml', markdown: 'summary.md' };

/** Writes each report asked for from a results folder read back; returns the paths written. `files` overrides a report's path. */
export function writeReports(
  results: StoredRun,
  which: FileReport[],
  outDir = results.dir,
  files: Partial<Record<FileReport, string>> = {},
): Record<FileReport, string> {
  const written = {} as Record<FileReport, string>;
  const target = (r: FileReport): string => path.resolve(outDir, files[r] ?? DEFAULT_FILES[r]);
  const write = (r: FileReport, text: string): void => {
    const file = target(r);
    makeDirs(path.dirname(file));
    writeAtomically(file, text);
    written[r] = file;
  };
  if (which.includes('html')) write('html', renderHtmlReport(results));
  if (which.includes('junit')) write('junit', renderJunit(results.summary));
  if (which.includes('markdown')) write('markdown', renderMarkdown(results.summary, which.includes('html') ? target('html') : undefined));
  return written;
}
