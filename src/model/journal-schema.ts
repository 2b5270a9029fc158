/**
 * `journal.json` (DESIGN.md §4): every change a run made, with how to undo it. `golive recover` acts on what
 * it reads here (kills process groups, deletes folders, calls undoers), so a journal is parsed through this
 * schema first: a crafted or damaged one is refused, never acted on. Unknown fields are kept, so a journal a
 * newer golive wrote is rewritten whole.
 */
import { z } from 'zod';

/**
 * What a journal entry changed. Processes and temp folders are golive's own; anything else a platform
 * changed is `undo`: an opaque payload that the platform's undoer (registered by kind) knows how to
 * reverse, so the journal and `golive recover` know no platform. `k8s` is how journals written before
 * undoers were registered by kind named Kubernetes changes.
 */
const journalActionSchema = z.discriminatedUnion('kind', [
  // 0 is a process that never started; 1 would be init's group, never one golive made.
  z.looseObject({
    kind: z.literal('process-group'),
    pgid: z
      .number()
      .int()
      .refine((n) => n === 0 || n > 1, { error: 'expected 0 or a process group id above 1' }),
    command: z.string(),
  }),
  z.looseObject({ kind: z.literal('temp-dir'), path: z.string().min(1) }),
  /** A data folder deleted by a destroy: put back from the run's own snapshot. */
  z.looseObject({ kind: z.literal('restore-data'), dataDir: z.string().min(1), snapshot: z.string().min(1) }),
  z.looseObject({ kind: z.literal('undo'), by: z.string(), payload: z.unknown() }),
  z.looseObject({ kind: z.literal('k8s'), undo: z.unknown(), context: z.string().optional(), kubeconfig: z.string().optional() }),
]);

export type JournalAction = z.output<typeof journalActionSchema>;

const journalEntrySchema = z.looseObject({
  id: z.number().int(),
  at: z.string(),
  /** What was changed, in words. */
  change: z.string(),
  /** How to undo it by hand, in words: shown when an undo fails. */
  undo: z.string(),
  action: journalActionSchema,
  undone: z.boolean(),
});

export type JournalEntry = z.output<typeof journalEntrySchema>;

export const journalFileSchema = z.looseObject({
  version: z.literal(1).optional(),
  /** The process that ran the run: its journal is left alone while it lives. */
  pid: z.number().int().positive(),
  /** The run's unique id (replicas and owned temp folders carry it); absent before run ids were unique. */
  runId: z.string().min(1).optional(),
  entries: z.array(journalEntrySchema),
});

export type JournalFile = z.output<typeof journalFileSchema>;
