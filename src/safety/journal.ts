/**
 * The journal (DESIGN.md §4): every change golive makes is written down, with how to undo it, before it is
 * applied, and marked undone after. A crashed run leaves a journal that `golive recover` reads.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { writeAtomically } from '../files.js';

/**
 * What a journal entry changed. Processes and temp folders are golive's own; anything else a platform
 * changed is `undo`: an opaque payload that the platform's undoer (registered by kind, see undoers.ts)
 * knows how to reverse, so the journal and `golive recover` know no platform.
 */
export type JournalAction =
  | { kind: 'process-group'; pgid: number; command: string }
  | { kind: 'temp-dir'; path: string }
  /** A data folder deleted by a destroy: put back from the run's own snapshot. */
  | { kind: 'restore-data'; dataDir: string; snapshot: string }
  | { kind: 'undo'; by: string; payload: unknown };

export interface JournalEntry {
  id: number;
  at: string;
  /** What was changed, in words. */
  change: string;
  /** How to undo it by hand, in words: shown when an undo fails. */
  undo: string;
  action: JournalAction;
  undone: boolean;
}

export const JOURNAL_FILE = 'journal.json';

export class Journal {
  private readonly list: JournalEntry[] = [];
  private nextId = 1;
  readonly file: string;
  /**
   * The run's id, unique to it (its folder's name and a random part): replicas, hooks and owned temp
   * folders carry it, so recover never takes another run's process or folder for this one's, even one
   * whose folder has the same name under another results root.
   */
  readonly runId: string;

  constructor(dir: string) {
    this.file = path.join(dir, JOURNAL_FILE);
    this.runId = `${path.basename(dir)}-${randomBytes(4).toString('hex')}`;
    this.flush();
  }

  /** The last write that failed after the change was made (a full disk): the journal in memory is still right. */
  writeFailure: string | undefined;

  /** Writes the entry to disk before returning: call it before making the change. Throws when it cannot be written, so the change is not made. */
  record(change: string, undo: string, action: JournalAction): JournalEntry {
    const entry: JournalEntry = { id: this.nextId++, at: new Date().toISOString(), change, undo, action, undone: false };
    this.list.push(entry);
    try {
      this.flush();
    } catch (err) {
      this.list.pop();
      throw err;
    }
    return entry;
  }

  /** Replaces an entry's action once its details are known (a process's id right after spawn). */
  update(entry: JournalEntry, action: JournalAction): void {
    entry.action = action;
    this.flushAfterTheFact();
  }

  markUndone(entry: JournalEntry): void {
    entry.undone = true;
    this.flushAfterTheFact();
  }

  /** The change already happened (or was undone): a journal that cannot be rewritten must not stop its bookkeeping. */
  private flushAfterTheFact(): void {
    try {
      this.flush();
    } catch (err) {
      this.writeFailure = `could not update ${this.file}: ${(err as Error).message}`;
    }
  }

  entries(): readonly JournalEntry[] {
    return this.list;
  }

  pending(): JournalEntry[] {
    return this.list.filter((e) => !e.undone);
  }

  private flush(): void {
    // Write then rename: a crash mid-write never leaves a torn journal.
    writeAtomically(this.file, `${JSON.stringify({ version: 1, pid: process.pid, runId: this.runId, entries: this.list }, null, 2)}\n`);
  }
}

/** `runId` is absent in journals written before run ids were unique: their run's id was the folder's name. */
export function readJournal(file: string): { pid: number; runId?: string; entries: JournalEntry[] } | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as { pid: number; runId?: string; entries: JournalEntry[] };
  } catch {
    return undefined; // unreadable: nothing we can safely act on
  }
}
