/** `recover()`: undoes what killed runs left behind (processes, temp folders, cluster changes), from their journals. */
import path from 'node:path';
import { OUTPUT_DEFAULTS } from '../config/defaults.js';
import { PLATFORM_UNDOERS } from '../platforms/registry.js';
import { recoverFolder, recoverKnownRuns, type RecoverReport } from '../safety/recover.js';

export interface RecoverOptions {
  /** What a relative folder is resolved against, and where ./golive-results is. @default process.cwd() */
  cwd?: string;
  /** One run folder; without it, the runs under ./golive-results and every run registered in the state folder. */
  folder?: string;
}

/** What was undone, what could not be (with how to undo it by hand), and runs still going (left alone). */
export type RecoverOutcome = RecoverReport;

export async function recover(options: RecoverOptions = {}): Promise<RecoverOutcome> {
  const cwd = options.cwd ?? process.cwd();
  return options.folder !== undefined
    ? recoverFolder(path.resolve(cwd, options.folder), PLATFORM_UNDOERS)
    : recoverKnownRuns(path.resolve(cwd, OUTPUT_DEFAULTS.dir), PLATFORM_UNDOERS);
}
