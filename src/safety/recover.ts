/**
 * `golive recover`: undoes what runs that were killed left behind, from their journals. Also runs at the
 * start of every run, so a crashed run is cleaned up by the next one.
 */
import { existsSync, lstatSync, readdirSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { fillFromSnapshot, mayFill } from './data-dir.js';
import { groupMembers, processesCarrying, signalEach } from './processes.js';
import path from 'node:path';
import { InputError } from '../errors.js';
import type { JournalAction as AnyJournalAction } from '../model/journal-schema.js';
import { JOURNAL_FILE, readJournal, writeJournal, type JournalAction, type JournalEntry } from './journal.js';
import { whyNotOurs } from './owned-temp-dir.js';
import { registeredRuns } from './run-registry.js';
import type { Undoers } from './undoers.js';

export interface RecoverReport {
  undone: string[];
  failed: string[];
  /** Journals of runs still in progress: left alone. */
  skipped: string[];
  /** With `describeOnly`: what would be undone. */
  pending: string[];
}

/** `describeOnly` (a dry run): says what would be undone, and undoes nothing. */
export interface RecoverOptions {
  describeOnly?: boolean;
}

/** Undoes what the run in `runDir` left behind; a journal that is not golive's (crafted, damaged) throws an InputError and nothing is done. */
export async function recoverFolder(runDir: string, undoers: Undoers, options: RecoverOptions = {}): Promise<RecoverReport> {
  const report: RecoverReport = { undone: [], failed: [], skipped: [], pending: [] };
  const file = path.join(runDir, JOURNAL_FILE);
  const journal = readJournal(file);
  if (!journal) return report;
  const pending = journal.entries.filter((e) => !e.undone);
  if (pending.length === 0) return report;
  if (journal.pid !== process.pid && isAlive(journal.pid)) {
    report.skipped.push(`${runDir}: its run (pid ${journal.pid}) is still going`);
    return report;
  }
  if (options.describeOnly) {
    report.pending.push(...pending.map((e) => `${e.change} (${runDir})`));
    return report;
  }
  const runId = journal.runId ?? path.basename(runDir);
  for (const entry of pending) {
    const result = await undo(entry, runId, runDir, undoers);
    if (result.ok) {
      entry.undone = true;
      report.undone.push(`${entry.change} → ${result.message}`);
    } else {
      report.failed.push(`${entry.change}: ${result.message}; by hand: ${entry.undo}`);
    }
  }
  writeJournal(file, journal);
  return report;
}

/** Every run folder under `root` (the results root), oldest first. */
async function recoverAll(root: string, undoers: Undoers, options: RecoverOptions = {}): Promise<RecoverReport> {
  const total: RecoverReport = { undone: [], failed: [], skipped: [], pending: [] };
  if (!existsSync(root) || !statSync(root).isDirectory()) return total; // not a results root: the run says so when it makes its folder
  for (const name of readdirSync(root).sort()) {
    const dir = path.join(root, name);
    if (!existsSync(path.join(dir, JOURNAL_FILE))) continue;
    add(total, await recoverRefusing(dir, undoers, options));
  }
  return total;
}

/** One refused journal must not keep the others (or the next run) from being recovered: it is said, and skipped. */
async function recoverRefusing(dir: string, undoers: Undoers, options: RecoverOptions): Promise<RecoverReport> {
  try {
    return await recoverFolder(dir, undoers, options);
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    return { undone: [], failed: [`refused, nothing in it was undone: ${err.message.replace(/\n\s*/g, ' ')}`], skipped: [], pending: [] };
  }
}

function add(total: RecoverReport, r: RecoverReport): void {
  total.undone.push(...r.undone);
  total.failed.push(...r.failed);
  total.skipped.push(...r.skipped);
  total.pending.push(...r.pending);
}

/**
 * The runs `golive recover` without a folder knows: those under `root` and every run registered in the
 * run registry, wherever its folder is. A registered run with nothing left to undo is forgotten.
 */
export async function recoverKnownRuns(root: string, undoers: Undoers, options: RecoverOptions = {}): Promise<RecoverReport> {
  const total = await recoverAll(root, undoers, options);
  for (const run of registeredRuns()) {
    if (path.dirname(run.dir) !== path.resolve(root) && existsSync(path.join(run.dir, JOURNAL_FILE)))
      add(total, await recoverRefusing(run.dir, undoers, options));
    if (!options.describeOnly && isFinished(run.dir)) run.forget();
  }
  return total;
}

/** Nothing of the run is left to undo, and it is not running: its folder is gone, or its journal is all undone. */
function isFinished(runDir: string): boolean {
  let journal;
  try {
    journal = readJournal(path.join(runDir, JOURNAL_FILE));
  } catch {
    return false; // a refused journal (said above) stays registered: a person looks at it
  }
  if (!journal) return !existsSync(path.join(runDir, JOURNAL_FILE));
  return journal.entries.every((e) => e.undone) && (journal.pid === process.pid || !isAlive(journal.pid));
}

async function undo(entry: JournalEntry, runId: string, runDir: string, undoers: Undoers): Promise<{ ok: boolean; message: string }> {
  const a = upgrade(entry.action);
  switch (a.kind) {
    case 'process-group': {
      if (a.pgid <= 0) return { ok: true, message: 'never started' };
      // The whole group: the first process may have exited while what it started still runs.
      const members = groupMembers(a.pgid) ?? (isAlive(-a.pgid) ? [a.pgid] : []);
      // A helper started with setsid left the group but carries the run's id: it goes too.
      const escaped = processesCarrying({ GOLIVE_RUN_ID: runId }).filter((pid) => !members.includes(pid));
      if (members.length === 0 && escaped.length === 0) return { ok: true, message: 'already gone' };
      // A reused process id must not be killed: the replica carries its run's id in its environment.
      const ours = members.some((pid) => belongsToRun(pid, runId));
      if (!ours && escaped.length === 0) return { ok: true, message: `process group ${a.pgid} is not this run's any more` };
      try {
        if (ours) process.kill(-a.pgid, 'SIGKILL');
        const helpers = signalEach(escaped, 'SIGKILL');
        return { ok: true, message: `killed process group ${a.pgid}${helpers ? ` and ${helpers} process(es) of the run outside it` : ''}` };
      } catch (err) {
        return { ok: false, message: (err as Error).message };
      }
    }
    case 'temp-dir': {
      if (!existsSync(a.path)) return { ok: true, message: 'already gone' };
      // Only a folder golive made for this very run: a crafted journal must not delete anything else.
      const why = whyNotOurs(a.path, runId);
      if (why) return { ok: false, message: `refused to delete ${a.path}: ${why}` };
      rmSync(a.path, { recursive: true, force: true });
      return { ok: true, message: `deleted ${a.path}` };
    }
    case 'restore-data':
      return putDataBack(a.dataDir, a.snapshot, runDir, runId);
    case 'undo': {
      const undoer = undoers[a.by];
      if (!undoer) return { ok: false, message: `no undoer for ${a.by} changes in this golive` };
      try {
        return { ok: true, message: await undoer(a.payload) };
      } catch (err) {
        return { ok: false, message: (err as Error).message };
      }
    }
  }
}

/** Journals written before undoers were registered by kind named Kubernetes changes `k8s`. */
function upgrade(a: AnyJournalAction): JournalAction {
  if (a.kind !== 'k8s') return a;
  return { kind: 'undo', by: 'kubernetes', payload: { change: a.undo, context: a.context, kubeconfig: a.kubeconfig } };
}

/**
 * Puts back a data folder a killed run destroyed, from that run's own snapshot, and only into a folder that
 * is missing or empty: a crafted journal can make recover copy the run's snapshot, never delete anything.
 */
function putDataBack(dataDir: string, snapshot: string, runDir: string, runId: string): { ok: boolean; message: string } {
  const snapshots = path.join(realpathSync(runDir), 'snapshots');
  if (!existsSync(snapshot)) return { ok: false, message: `its snapshot ${snapshot} is gone` };
  if (!realpathSync(snapshot).startsWith(`${snapshots}${path.sep}`))
    return { ok: false, message: `refused: ${snapshot} is not a snapshot of this run (${snapshots})` };
  if (existsSync(dataDir) && lstatSync(dataDir).isSymbolicLink()) return { ok: false, message: `refused: ${dataDir} is a symbolic link` };
  // golive marks the folder before it deletes the first file: unmarked and not empty, nothing was deleted
  // (the run died before the destroy began, or after the restore was done).
  if (!mayFill(dataDir, runId)) return { ok: true, message: `${dataDir} holds its data: the destroy had not begun, or the restore was done` };
  fillFromSnapshot(dataDir, snapshot, runId);
  return { ok: true, message: `put ${dataDir} back from ${snapshot}` };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function belongsToRun(pid: number, runId: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(`GOLIVE_RUN_ID=${runId}`);
  } catch {
    return true; // no /proc (not Linux): trust the journal
  }
}
