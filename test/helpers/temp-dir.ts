/**
 * Temp folders for tests: every one made here is removed when the test file's process exits (node --test
 * runs each file in its own process), whatever the tests did, so nothing piles up in /tmp.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const made = new Set<string>();
let hooked = false;

export function tempDir(prefix = 'golive-test-'): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  made.add(dir);
  if (!hooked) {
    hooked = true;
    process.once('exit', removeAll);
  }
  return dir;
}

/** Removes every folder made so far (also called at exit). */
export function removeAll(): void {
  for (const dir of made) {
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    } catch {
      // a folder on a test's own mount (the full-disk test) is unmounted and removed by that test
    }
  }
  made.clear();
}
