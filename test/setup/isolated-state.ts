/**
 * Loaded into every test process (`node --import`, see package.json's test script): golive's run registry
 * goes to a state folder of the process's own, never the developer's ~/.local/state, and tests that crash a
 * run on purpose cannot hand their leftovers to another file's `golive recover`. `--import` also runs in
 * every worker thread a test starts: only the main thread makes the folder (a thread's exit runs no
 * handler that could remove it), and threads keep the main thread's.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isMainThread } from 'node:worker_threads';

if (isMainThread) {
  const dir = mkdtempSync(path.join(tmpdir(), 'golive-suite-state-'));
  process.env['GOLIVE_STATE_DIR'] = dir;
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
}
