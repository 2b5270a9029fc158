/**
 * The local environment as a whole: backups as a copy of the data folder taken while the app runs (as a
 * volume snapshot is), destroy and restore, and a redeploy from a clean clone of the repository at HEAD.
 */
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { GoliveError } from '../../errors.js';
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
  const id = `snapshot-${Date.now()}`;
  const to = path.join(runDir, 'snapshots', id);
  // A copy of the data folder while the app runs, as a volume snapshot is: what was on disk at that moment.
  cpSync(rs.dataDir, to, { recursive: true });
  rs.sink('backup.completed', `snapshot of ${rs.dataDir} → ${path.relative(runDir, to)}`, id);
  return id;
}

export async function destroy(rs: ReplicaSet): Promise<void> {
  rs.pause('destroyed');
  const victims = rs.alive();
  rs.sink('destroy', `killing ${victims.length} replica(s) and deleting ${rs.dataDir}`);
  await Promise.all(victims.map((r) => r.kill()));
  emptyDataDir(rs);
}

export async function restore(rs: ReplicaSet, runDir: string, backupId: string): Promise<void> {
  const from = path.join(runDir, 'snapshots', backupId);
  if (!existsSync(from)) throw new GoliveError('GOLIVE_PLATFORM_FAILED', `no snapshot ${backupId}`);
  rmSync(rs.dataDir, { recursive: true, force: true });
  cpSync(from, rs.dataDir, { recursive: true });
  rs.sink('restore.started', `data restored from ${backupId}; starting ${rs.desired} replica(s)`, backupId);
  await rs.resume('destroyed');
}

export async function reset(rs: ReplicaSet): Promise<void> {
  rs.pause('reset');
  const victims = rs.alive();
  await Promise.all(victims.map((r) => r.kill()));
  emptyDataDir(rs);
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

function emptyDataDir(rs: ReplicaSet): void {
  rmSync(rs.dataDir, { recursive: true, force: true });
  mkdirSync(rs.dataDir, { recursive: true });
}
