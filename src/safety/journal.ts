/**
 * The journal (DESIGN.md §4): every change golive makes is written down, with how to undo it, before it is
 * applied, and marked undone after. A crashed run leaves a journal that `golive recover` reads.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * What a journal entry changed. Processes and temp folders are golive's own; anything else a platform
 * changed is `undo`: an opaque payload that the platform's undoer (registered by kind, see undoers.ts)
 * knows how to reverse, so the journal and `golive recover` know no platform.
 */
export type JournalAction =
  | { kind: 'process-group'; pgid: number; command: string }
  | { kind: 'temp-dir'; path: string }
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
  private readonly entries: JournalEntry[] = [];
  private nextId = 1;
  readonly file: string;

  constructor(dir: string) {
    this.file = path.join(dir, JOURNAL_FILE);
    this.flush();
  }

  /** Writes the entry to disk before returning: call it before making the change. */
  record(change: string, undo: string, action: JournalAction): JournalEntry {
    const entry: JournalEntry = { id: this.nextId++, at: new Date().toISOString(), change, undo, action, undone: false };
    this.entries.push(entry);
    this.flush();
    return entry;
  }

  /** Replaces an entry's action once its details are known (a process's id right after spawn). */
  update(entry: JournalEntry, action: JournalAction): void {
    entry.action = action;
    this.flush();
  }

  markUndone(entry: JournalEntry): void {
    entry.undone = true;
    this.flush();
  }

  pending(): JournalEntry[] {
    return this.entries.filter((e) => !e.undone);
  }

  private flush(): void {
    // Write then rename: a crash mid-write never leaves a torn journal.
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, `${JSON.stringify({ version: 1, pid: process.pid, entries: this.entries }, null, 2)}\n`);
    renameSync(tmp, this.file);
  }
}

export function readJournal(file: string): { pid: number; entries: JournalEntry[] } | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as { pid: number; entries: JournalEntry[] };
  } catch {
    return undefined; // unreadable: nothing we can safely act on
  }
}
