/** Files golive writes whole (summaries, reports, journals): never left half-written by a full disk or a crash. */
import { renameSync, rmSync, writeFileSync } from 'node:fs';

/** Writes `text` to `file` through a temp file and a rename; on failure the temp file is removed and the error thrown. */
export function writeAtomically(file: string, text: string | Buffer): void {
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}
