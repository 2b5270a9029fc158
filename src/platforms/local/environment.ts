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

/** A copy of every component's data folder while the system runs, as volume snapshots are: what was on disk at that moment. */
export function backup(system: readonly ReplicaSet[], runDir: string): string {
  for (const rs of system) refuseLink(rs.dataDir);
  const id = `snapshot-${Date.now()}`;
  for (const rs of system) cpSync(rs.dataDir, snapshotPath(runDir, id, rs.name), { recursive: true });
  const what = system.map((rs) => `${rs.name} (${rs.dataDir})`).join(', ');
  system[0]!.sink('backup.completed', `snapshot of ${what} → ${path.relative(runDir, snapshotPath(runDir, id))}`, id);
  return id;
}

/** Where a backup's snapshot of one component (or, without one, the backup's folder) is. */
export function snapshotPath(runDir: string, backupId: string, component?: string): string {
  return component === undefined ? path.join(runDir, 'snapshots', backupId) : path.join(runDir, 'snapshots', backupId, component);
}

/** Every replica killed and every data folder deleted; each keeps golive's marker until a restore (or `golive recover`) fills it again. */
export async function destroy(system: readonly ReplicaSet[], runId: string): Promise<void> {
  for (const rs of system) rs.pause('destroyed');
  const victims = system.flatMap((rs) => rs.alive());
  system[0]!.sink('destroy', `killing ${victims.length} replica(s) and deleting ${system.map((rs) => rs.dataDir).join(', ')}`);
  await Promise.all(victims.map((r) => r.kill()));
  for (const rs of system) {
    refuseLink(rs.dataDir);
    emptyKeepingMark(rs.dataDir, runId);
  }
}

/** Puts a snapshot back as the data folder (what `restore` does, and the undo of a destroy). */
export function restoreDataDir(snapshot: string, dataDir: string, runId: string): void {
  if (!existsSync(snapshot)) throw new GoliveError('GOLIVE_PLATFORM_FAILED', `no snapshot ${snapshot}`);
  refuseLink(dataDir);
  fillFromSnapshot(dataDir, snapshot, runId);
}

/** The data put back, then the components started again in order, each Ready before what refers to it. */
export async function restore(
  system: readonly ReplicaSet[],
  backupId: string,
  putBack: () => Promise<void>,
  startTimeout: (rs: ReplicaSet) => number,
  signal: AbortSignal,
): Promise<void> {
  await putBack();
  system[0]!.sink('restore.started', `data restored from ${backupId}; starting ${system.map((rs) => `${rs.desired} × ${rs.name}`).join(', ')}`, backupId);
  for (const rs of system) {
    await rs.resume('destroyed');
    if (rs !== system[system.length - 1]) await rs.waitReady(startTimeout(rs), signal);
  }
}

export async function reset(system: readonly ReplicaSet[], runId: string): Promise<void> {
  for (const rs of system) rs.pause('reset');
  const victims = system.flatMap((rs) => rs.alive());
  await Promise.all(victims.map((r) => r.kill()));
  for (const rs of system) {
    refuseLink(rs.dataDir);
    emptyKeepingMark(rs.dataDir, runId);
    unmark(rs.dataDir);
  }
  system[0]!.sink('reset', `environment empty: ${victims.length} replica(s) stopped, data deleted`);
}

/** Clones the repository at HEAD (into `owned`, removed at the run's end), builds there and starts the system from the clone, in order. */
export async function deployFromRepo(
  system: readonly ReplicaSet[],
  io: { hooks: HookRunner; journal: Journal; baseDir: string; owned: OwnedDir[]; buildCwd: ReplicaSet },
  options: DeployOptions,
  signal: AbortSignal,
): Promise<void> {
  const sink = system[0]!.sink.bind(system[0]);
  const clone = await cloneAtHead(path.resolve(io.baseDir, options.repo), io.journal);
  io.owned.push({ dir: clone.root, entry: clone.entry });
  sink('deploy.clone', `git clone ${clone.top} (HEAD: committed files only) → ${clone.dir}`);
  for (const rs of system) {
    const relative = path.relative(clone.top, rs.appCwd);
    if (relative.startsWith('..')) throw new GoliveError('GOLIVE_USAGE', `the cwd of ${rs.name} (${rs.appCwd}) is outside the repository ${clone.top}`);
    rs.appCwd = path.join(clone.dir, relative);
    if (!existsSync(rs.appCwd))
      throw new GoliveError('GOLIVE_PLATFORM_FAILED', `${relative || '.'} (${rs.name}) is not in the repository at HEAD: is it committed?`);
  }
  const cold = options.coldCaches ? makeColdCaches(io.journal) : undefined;
  if (cold) {
    io.owned.push(cold);
    // The app starts with them too: a cache filled at start-up is part of setting up from scratch.
    for (const rs of system) rs.extraEnv = { ...rs.extraEnv, ...cold.env };
  }
  if (options.build) {
    sink('deploy.build', `running build${cold ? ' with empty package caches' : ''}: ${options.build}`);
    await io.hooks.run(options.build, { GOLIVE_DEPLOY_DIR: clone.dir, ...cold?.env }, signal, io.buildCwd.appCwd, 'build');
  }
  sink('deploy.start', `starting ${system.map((rs) => `${rs.desired} × ${rs.name}`).join(', ')} from the clone`);
  for (const rs of system) {
    await rs.resume('reset');
    if (rs !== system[system.length - 1]) await rs.waitReady(rs.spec.startTimeout, signal);
  }
}

/** Checked again right before golive copies or deletes it: a link made since the config was read is refused too. */
function refuseLink(dataDir: string): void {
  if (existsSync(dataDir) && lstatSync(dataDir).isSymbolicLink())
    throw new GoliveError('GOLIVE_USAGE', `dataDir ${dataDir} is a symbolic link: golive would snapshot and delete the link, not the data behind it`);
}
