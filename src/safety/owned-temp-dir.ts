/**
 * Temp folders golive makes, and may delete: directly in the OS temp folder, named `golive-…`, holding a
 * marker that names the run that made it. `golive recover` deletes a journalled folder only when all three
 * hold, so a crafted or stale journal can never make it delete anything else.
 */
import { existsSync, lstatSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { readJsonFile } from '../files.js';
import { inert } from '../model/format.js';

const MARKER = '.golive-owner';
const PREFIX = 'golive-';
const markerSchema = z.object({ runId: z.string() });
const MAX_MARKER_BYTES = 64 * 1024;

/** Makes `golive-<what>-XXXXXX` in the temp folder, marked as the run's. */
export function makeOwnedTempDir(what: string, runId: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), `${PREFIX}${what}-`));
  markOwned(dir, runId);
  return dir;
}

/** Marks a folder golive made (before the run existed, like the demo's workspace) as the run's. */
export function markOwned(dir: string, runId: string): void {
  const why = notOwnable(dir);
  if (why) throw new Error(`Internal error: ${dir} ${why}`);
  writeFileSync(path.join(dir, MARKER), `${JSON.stringify({ runId, pid: process.pid })}\n`);
}

/** Why golive must not delete `dir` for the run `runId`; undefined when it may. */
export function whyNotOurs(dir: string, runId: string): string | undefined {
  const why = notOwnable(dir);
  if (why) return why;
  let marker: z.output<typeof markerSchema>;
  try {
    marker = readJsonFile(path.join(dir, MARKER), markerSchema, MAX_MARKER_BYTES);
  } catch {
    return `it has no ${MARKER} marker of golive's`;
  }
  return marker.runId === runId ? undefined : `its marker names another run (${inert(marker.runId)})`;
}

/** Deletes a folder golive made for this run; throws, saying why, for anything else. */
export function removeOwnedTempDir(dir: string, runId: string): void {
  if (!existsSync(dir)) return;
  const why = whyNotOurs(dir, runId);
  if (why) throw new Error(`refusing to delete ${dir}: ${why}`);
  rmSync(dir, { recursive: true, force: true });
}

function notOwnable(dir: string): string | undefined {
  const temp = realpathSync(tmpdir());
  let real: string;
  try {
    if (lstatSync(dir).isSymbolicLink()) return 'is a symbolic link';
    real = realpathSync(dir);
  } catch {
    return 'does not exist';
  }
  if (path.dirname(real) !== temp) return `is not directly in the temp folder ${temp}`;
  if (!path.basename(real).startsWith(PREFIX)) return `is not named ${PREFIX}…`;
  return undefined;
}
