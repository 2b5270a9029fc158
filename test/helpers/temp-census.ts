/**
 * The suite's census of the OS temp folder: which golive folders were there before the first test file,
 * so the last one can tell what the suite left behind. The files that use it sort first and last.
 */
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** What golive and its tests create in the temp folder. */
const OURS = /^(golive|standin)[-_.]/;

export const CENSUS_FILE = path.join(tmpdir(), `golive-suite-census-${process.ppid}.json`);

export function ourTempEntries(): string[] {
  return readdirSync(tmpdir())
    .filter((name) => OURS.test(name))
    .filter((name) => !name.startsWith('golive-suite-census-') && name !== path.basename(process.env['GOLIVE_STATE_DIR'] ?? ''))
    .sort();
}
