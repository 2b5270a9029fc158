/**
 * A clean clone of the repository at HEAD in a fresh temp folder (committed files only: what a redeploy
 * from scratch has), journalled before it is made so `golive recover` removes it after a crash.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Journal, JournalEntry } from '../../safety/journal.js';
import { captureCommand } from './command.js';

export interface Clone {
  /** The repository's top folder. */
  top: string;
  dir: string;
  entry: JournalEntry;
}

export async function cloneAtHead(repo: string, journal: Journal): Promise<Clone> {
  const top = (await captureCommand('git', ['-C', repo, 'rev-parse', '--show-toplevel'], repo)).trim();
  const dir = mkdtempSync(path.join(tmpdir(), 'golive-redeploy-'));
  const entry = journal.record(`cloned ${top} at HEAD into ${dir}`, `rm -rf ${dir}`, { kind: 'temp-dir', path: dir });
  await captureCommand('git', ['clone', '--quiet', '--no-hardlinks', top, dir], tmpdir());
  return { top, dir, entry };
}

export function removeClone(clone: Clone, journal: Journal): void {
  rmSync(clone.dir, { recursive: true, force: true });
  journal.markUndone(clone.entry);
}
