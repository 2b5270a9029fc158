/** `golive compare A B`: two runs side by side; exit 1 when a figure regressed beyond its tolerance. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { GoliveError } from '../../errors.js';
import { compareRuns, parseTolerances, renderComparisonMarkdown } from '../../report/compare.js';
import { renderCompareHtml } from '../../report/html-report.js';
import { readResults } from '../../report/results-reader.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { CliIo } from '../io.js';

export function compareCommand(io: CliIo, a: string, b: string, o: { tolerance?: string; html?: string; markdown?: string }): ExitCode {
  const tolerances = parseTolerances(o.tolerance);
  if (typeof tolerances === 'string') throw new GoliveError('GOLIVE_USAGE', `--tolerance: ${tolerances}`);
  const comparison = compareRuns(readResults(path.resolve(io.cwd, a)).summary, readResults(path.resolve(io.cwd, b)).summary, tolerances);
  const markdown = renderComparisonMarkdown(comparison);
  io.stdout.write(markdown);
  if (o.markdown) writeFileSync(path.resolve(io.cwd, o.markdown), markdown);
  if (o.html) writeFileSync(path.resolve(io.cwd, o.html), renderCompareHtml(comparison));
  return comparison.regressions > 0 ? EXIT.failed : EXIT.passed;
}
