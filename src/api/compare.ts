/** `compare()`: two runs side by side per drill and figure, and which figures regressed beyond their tolerance. */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { GoliveError } from '../errors.js';
import { compareRuns, parseTolerances, renderComparisonMarkdown, type Comparison, type Tolerances } from '../report/compare.js';
import { renderCompareHtml } from '../report/html-report.js';
import { readResults } from '../results/results-reader.js';

export type { Comparison, Tolerances } from '../report/compare.js';

export interface CompareOptions {
  /** What relative folders and files are resolved against. @default process.cwd() */
  cwd?: string;
  /** Tolerances, or their text as `golive compare --tolerance` takes it (`latency=20%,downtime=100ms`). @default golive's */
  tolerances?: Tolerances | string;
  /** Also write the comparison as HTML to this file. */
  html?: string;
  /** Also write the comparison as Markdown to this file. */
  markdown?: string;
}

export interface CompareOutcome {
  comparison: Comparison;
  /** The comparison as Markdown (what `golive compare` prints). */
  markdown: string;
  /** Files written (absolute paths). */
  files: string[];
}

/** `baseline` and `candidate` are results folders; the comparison fails (`comparison.passed` false) when a figure regressed or a drill ran in only one of them. */
export async function compare(baseline: string, candidate: string, options: CompareOptions = {}): Promise<CompareOutcome> {
  const cwd = options.cwd ?? process.cwd();
  const tolerances = typeof options.tolerances === 'object' ? options.tolerances : parseTolerances(options.tolerances);
  if (typeof tolerances === 'string') throw new GoliveError('GOLIVE_USAGE', `tolerances: ${tolerances}`);
  const comparison = compareRuns(readResults(path.resolve(cwd, baseline)).summary, readResults(path.resolve(cwd, candidate)).summary, tolerances);
  const markdown = renderComparisonMarkdown(comparison);
  const files: string[] = [];
  const write = async (file: string, text: string): Promise<void> => {
    const at = path.resolve(cwd, file);
    await writeFile(at, text);
    files.push(at);
  };
  if (options.markdown) await write(options.markdown, markdown);
  if (options.html) await write(options.html, renderCompareHtml(comparison));
  return { comparison, markdown, files };
}
