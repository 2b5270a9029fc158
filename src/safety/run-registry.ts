/**
 * Where runs register themselves while they can leave something behind, so `golive recover` without
 * arguments finds a killed run wherever `--out` put its folder: one small file per run in golive's state
 * folder ($GOLIVE_STATE_DIR, else $XDG_STATE_HOME/golive, else ~/.local/state/golive), naming the run's
 * folder. A run removes its file once everything it changed is undone.
 */
import { readdirSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { makeDirs, readJsonFile, writeAtomically } from '../files.js';

/** A registry entry names its run's folder, absolute. */
const entrySchema = z.object({ dir: z.string().refine((dir) => path.isAbsolute(dir), { error: 'expected an absolute path' }) });
const MAX_ENTRY_BYTES = 64 * 1024;

function runRegistryDir(env: NodeJS.ProcessEnv = process.env): string {
  const state = env['GOLIVE_STATE_DIR'] || path.join(env['XDG_STATE_HOME'] || path.join(homedir(), '.local', 'state'), 'golive');
  return path.join(state, 'runs');
}

/** A registered run; `forget` removes its entry (once nothing of it is left to undo). */
export interface RegisteredRun {
  dir: string;
  forget(): void;
}

/** Registers the run in `runDir` (before it changes anything). Throws when the registry cannot be written. */
export function registerRun(runDir: string, runId: string, env: NodeJS.ProcessEnv = process.env): RegisteredRun {
  const registry = runRegistryDir(env);
  makeDirs(registry);
  const file = path.join(registry, `${fileSafe(runId)}.json`);
  writeAtomically(file, `${JSON.stringify({ version: 1, dir: runDir, pid: process.pid })}\n`);
  return { dir: runDir, forget: () => rmSync(file, { force: true }) };
}

/** Every registered run's folder, with how to forget it. An entry that is not ours to read is skipped. */
export function registeredRuns(env: NodeJS.ProcessEnv = process.env): RegisteredRun[] {
  const registry = runRegistryDir(env);
  let names: string[];
  try {
    names = readdirSync(registry).filter((n) => n.endsWith('.json'));
  } catch {
    return []; // no registry yet: no run ever registered
  }
  const runs: RegisteredRun[] = [];
  for (const name of names.sort()) {
    const file = path.join(registry, name);
    const dir = runDirOf(file);
    if (dir) runs.push({ dir, forget: () => rmSync(file, { force: true }) });
  }
  return runs;
}

function runDirOf(file: string): string | undefined {
  try {
    return readJsonFile(file, entrySchema, MAX_ENTRY_BYTES).dir;
  } catch {
    return undefined; // torn or foreign: nothing to act on
  }
}

function fileSafe(runId: string): string {
  return runId.replace(/[^\w.-]/g, '_');
}
