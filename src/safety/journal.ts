/**
 * The journal (DESIGN.md §4): every change golive makes is written down, with how to undo it, before it is
 * applied, and marked undone after. A crashed run leaves a journal that `golive recover` reads.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { readJsonFile, writeAtomically } from '../files.js';
import { journalFileSchema, type JournalAction as AnyJournalAction, type JournalEntry, type JournalFile } from '../model/journal-schema.js';

export type { JournalEntry };

/**
 * What golive journals: its own processes and temp folders, a data folder a destroy deleted (put back from
 * the run's own snapshot), and `undo` — an opaque payload that the platform's undoer (registered by kind,
 * see undoers.ts) knows how to reverse, so the journal and `golive recover` know no platform. (`k8s`
 * actions are only read, from journals of earlier versions.)
 */
export type JournalAction = Exclude<AnyJournalAction, { kind: 'k8s' }>;

/** A journal is a few entries per change a run made: more than this is not one golive wrote. */
const MAX_JOURNAL_BYTES = 16 * 1024 * 1024;

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
    writeJournal(this.file, { version: 1, pid: process.pid, runId: this.runId, entries: this.list });
  }
}

/** Writes a journal whole. Write then rename: a crash mid-write never leaves a torn journal. */
export function writeJournal(file: string, journal: JournalFile): void {
  writeAtomically(file, `${JSON.stringify(journal, null, 2)}\n`);
}

/**
 * The journal in `file` (undefined when there is none), parsed through its schema: `golive recover` acts on
 * it, so a crafted or damaged journal throws an InputError naming the field, and nothing in it is done.
 * `runId` is absent in journals written before run ids were unique: their run's id was the folder's name.
 */
export function readJournal(file: string): JournalFile | undefined {
  if (!existsSync(file)) return undefined;
  return readJsonFile(file, journalFileSchema, MAX_JOURNAL_BYTES);
}
