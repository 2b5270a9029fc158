/** Files golive writes whole (summaries, reports, journals): never left half-written by a full disk or a crash. */
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

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

/**
 * `mkdir -p` that always ends: Node's recursive mkdir loops forever where mkdir answers ENOENT under a
 * parent that exists (procfs: `--out /proc/x` spun at 100 % CPU). Each missing folder is made once, in order.
 */
export function makeDirs(dir: string): void {
  const missing: string[] = [];
  for (let at = path.resolve(dir); !existsSync(at); at = path.dirname(at)) {
    missing.push(at);
    if (path.dirname(at) === at) break;
  }
  for (const folder of missing.reverse()) {
    try {
      mkdirSync(folder);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}
