/** `golive compare A B`: two runs side by side; exit 1 when a figure regressed beyond its tolerance, or a drill ran in only one. */
import { compare } from '../../api/compare.js';
import { exitCodeOf, type ExitCode } from '../../api/exit-codes.js';
import { GoliveError } from '../../errors.js';
import { parseTolerances } from '../../report/compare.js';
import type { CliIo } from '../io.js';

export async function compareCommand(io: CliIo, a: string, b: string, o: { tolerance?: string; html?: string; markdown?: string }): Promise<ExitCode> {
  const tolerances = parseTolerances(o.tolerance);
  if (typeof tolerances === 'string') throw new GoliveError('GOLIVE_USAGE', `--tolerance: ${tolerances}`);
  const outcome = await compare(a, b, { cwd: io.cwd, tolerances, ...(o.html ? { html: o.html } : {}), ...(o.markdown ? { markdown: o.markdown } : {}) });
  io.stdout.write(outcome.markdown);
  return exitCodeOf(outcome);
}
