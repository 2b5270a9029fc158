/**
 * A clean clone of the repository at HEAD in a fresh temp folder (committed files only: what a redeploy
 * from scratch has), journalled before it is made so `golive recover` removes it after a crash.
 */
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Journal, JournalEntry } from '../../safety/journal.js';
import { makeOwnedTempDir, removeOwnedTempDir } from '../../safety/owned-temp-dir.js';
import { captureCommand } from './command.js';

export interface Clone {
  /** The repository's top folder. */
  top: string;
  /** The clone's working tree. */
  dir: string;
  /** The temp folder golive made for it (the clone is its `repo/`). */
  root: string;
  entry: JournalEntry;
}

export async function cloneAtHead(repo: string, journal: Journal): Promise<Clone> {
  const top = (await captureCommand('git', ['-C', repo, 'rev-parse', '--show-toplevel'], repo)).trim();
  const root = makeOwnedTempDir('clone', journal.runId);
  const entry = journal.record(`cloned ${top} at HEAD into ${root}`, `rm -rf ${root}`, { kind: 'temp-dir', path: root });
  const dir = path.join(root, 'repo');
  await captureCommand('git', ['clone', '--quiet', '--no-hardlinks', top, dir], tmpdir());
  return { top, dir, root, entry };
}

export function removeClone(clone: Clone, journal: Journal): void {
  removeOwnedTempDir(clone.root, journal.runId);
  journal.markUndone(clone.entry);
}
