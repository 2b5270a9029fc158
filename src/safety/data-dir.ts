/**
 * A data folder golive empties (destroy, reset) carries golive's marker, naming the run, from before the
 * first file is deleted until a restore has filled it again. A run killed at any moment in between leaves
 * the marker, so `golive recover` may finish the restore there — and nowhere else: a crafted journal can
 * make recover fill an empty folder from the run's own snapshot, never delete anything that is not marked.
 */
import { cpSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { makeDirs, readJsonFile } from '../files.js';

const MARK = '.golive-emptied';
const markSchema = z.object({ runId: z.string() });
const MAX_MARK_BYTES = 64 * 1024;

/** Empties `dataDir` (made if missing), leaving only the marker. */
export function emptyKeepingMark(dataDir: string, runId: string): void {
  makeDirs(dataDir);
  writeFileSync(path.join(dataDir, MARK), `${JSON.stringify({ runId })}\n`);
  for (const name of readdirSync(dataDir)) if (name !== MARK) rmSync(path.join(dataDir, name), { recursive: true, force: true });
}

/** Fills `dataDir` from `snapshot`: emptied first (marked, so a crash mid-copy can be finished), unmarked at the end. */
export function fillFromSnapshot(dataDir: string, snapshot: string, runId: string): void {
  emptyKeepingMark(dataDir, runId);
  cpSync(snapshot, dataDir, { recursive: true });
  unmark(dataDir);
}

export function unmark(dataDir: string): void {
  rmSync(path.join(dataDir, MARK), { force: true });
}

/** Whether golive may fill `dataDir` for `runId`: missing, empty, or still marked by that run. */
export function mayFill(dataDir: string, runId: string): boolean {
  let names: string[];
  try {
    names = readdirSync(dataDir);
  } catch {
    return true; // missing: filling it deletes nothing
  }
  if (names.length === 0) return true;
  try {
    return readJsonFile(path.join(dataDir, MARK), markSchema, MAX_MARK_BYTES).runId === runId;
  } catch {
    return false;
  }
}
