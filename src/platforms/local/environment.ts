/**
 * The local environment as a whole: backups as a copy of the data folder taken while the app runs (as a
 * volume snapshot is), destroy and restore, and a redeploy from a clean clone of the repository at HEAD.
 */
import { cpSync, existsSync, lstatSync } from 'node:fs';
import path from 'node:path';
import { GoliveError } from '../../errors.js';
import { emptyKeepingMark, fillFromSnapshot, unmark } from '../../safety/data-dir.js';
import type { Journal, JournalEntry } from '../../safety/journal.js';

/** A temp folder golive made for the run (a clone, empty caches): removed when the platform shuts down. */
export interface OwnedDir {
  dir: string;
  entry: JournalEntry;
}
import type { DeployOptions, HookRunner } from '../platform.js';
import { makeColdCaches } from '../shared/cold-caches.js';
import { cloneAtHead } from '../shared/clone.js';
import type { ReplicaSet } from './replica-set.js';

export function backup(rs: ReplicaSet, runDir: string): string {
  refuseLink(rs.dataDir);
  const id = `snapshot-${Date.now()}`;
  const to = snapshotPath(runDir, id);
  // A copy of the data folder while the app runs, as a volume snapshot is: what was on disk at that moment.
  cpSync(rs.dataDir, to, { recursive: true });
  rs.sink('backup.completed', `snapshot of ${rs.dataDir} → ${path.relative(runDir, to)}`, id);
  return id;
}

export function snapshotPath(runDir: string, backupId: string): string {
  return path.join(runDir, 'snapshots', backupId);
}

/** Deletes the data; the folder keeps golive's marker until a restore (or `golive recover`) fills it again. */
export async function destroy(rs: ReplicaSet, runId: string): Promise<void> {
  rs.pause('destroyed');
  const victims = rs.alive();
  rs.sink('destroy', `killing ${victims.length} replica(s) and deleting ${rs.dataDir}`);
  await Promise.all(victims.map((r) => r.kill()));
  refuseLink(rs.dataDir);
  emptyKeepingMark(rs.dataDir, runId);
}

/** Puts a snapshot back as the data folder (what `restore` does, and the undo of a destroy). */
export function restoreDataDir(snapshot: string, dataDir: string, runId: string): void {
  if (!existsSync(snapshot)) throw new GoliveError('GOLIVE_PLATFORM_FAILED', `no snapshot ${snapshot}`);
  refuseLink(dataDir);
  fillFromSnapshot(dataDir, snapshot, runId);
}

export async function restore(rs: ReplicaSet, backupId: string, putBack: () => Promise<void>): Promise<void> {
  await putBack();
  rs.sink('restore.started', `data restored from ${backupId}; starting ${rs.desired} replica(s)`, backupId);
  await rs.resume('destroyed');
}

export async function reset(rs: ReplicaSet, runId: string): Promise<void> {
  rs.pause('reset');
  const victims = rs.alive();
  await Promise.all(victims.map((r) => r.kill()));
  refuseLink(rs.dataDir);
  emptyKeepingMark(rs.dataDir, runId);
  unmark(rs.dataDir);
  rs.sink('reset', `environment empty: ${victims.length} replica(s) stopped, data deleted`);
}

/** Clones the repository at HEAD (into `owned`, removed at the run's end), builds there and starts the app from the clone. */
export async function deployFromRepo(
  rs: ReplicaSet,
  io: { hooks: HookRunner; journal: Journal; baseDir: string; owned: OwnedDir[] },
  options: DeployOptions,
  signal: AbortSignal,
): Promise<void> {
  const clone = await cloneAtHead(path.resolve(io.baseDir, options.repo), io.journal);
  io.owned.push({ dir: clone.root, entry: clone.entry });
  rs.sink('deploy.clone', `git clone ${clone.top} (HEAD: committed files only) → ${clone.dir}`);
  const relative = path.relative(clone.top, rs.appCwd);
  if (relative.startsWith('..')) throw new GoliveError('GOLIVE_USAGE', `platform.app.cwd ${rs.appCwd} is outside the repository ${clone.top}`);
  rs.appCwd = path.join(clone.dir, relative);
  if (!existsSync(rs.appCwd)) throw new GoliveError('GOLIVE_PLATFORM_FAILED', `${relative || '.'} is not in the repository at HEAD: is it committed?`);
  const cold = options.coldCaches ? makeColdCaches(io.journal) : undefined;
  if (cold) {
    io.owned.push(cold);
    // The app starts with them too: a cache filled at start-up is part of setting up from scratch.
    rs.extraEnv = { ...rs.extraEnv, ...cold.env };
  }
  if (options.build) {
    rs.sink('deploy.build', `running build${cold ? ' with empty package caches' : ''}: ${options.build}`);
    await io.hooks.run(options.build, { GOLIVE_DEPLOY_DIR: clone.dir, ...cold?.env }, signal, rs.appCwd, 'build');
  }
  rs.sink('deploy.start', `starting ${rs.desired} replica(s) from the clone`);
  await rs.resume('reset');
}

/** Checked again right before golive copies or deletes it: a link made since the config was read is refused too. */
function refuseLink(dataDir: string): void {
  if (existsSync(dataDir) && lstatSync(dataDir).isSymbolicLink())
    throw new GoliveError('GOLIVE_USAGE', `dataDir ${dataDir} is a symbolic link: golive would snapshot and delete the link, not the data behind it`);
}
