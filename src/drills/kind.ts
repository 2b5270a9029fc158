/**
 * A drill kind, described once: its config block's schema, what it asks of a platform, its phases, the
 * objectives it is judged by when the team set none, and the audit findings that explain its failures.
 * The registry (kinds.ts) is the list of these; shared code asks a descriptor, never a kind's name.
 */
import type { z } from 'zod';
import type { DefaultObjectives, Objectives } from '../analysis/objective-types.js';
import type { DrillNeeds } from '../platforms/platform.js';
import type { DrillContext, Observe, PerformResult } from './drill.js';

/** What a drill is, built from its config block. */
interface DrillBuild {
  objectives: Objectives;
  needs: DrillNeeds;
  /** Runs while the load runs and returns when the drill is over; without it, the load runs for its duration. */
  perform?: (ctx: DrillContext) => Promise<PerformResult>;
  /** Without `perform`: what to watch on the platform while the load runs. */
  observe?: Observe;
  /** The load's own duration (a plain load: capacity's `duration`); absent, the config's `load.duration`. */
  durationMs?: number | undefined;
  /** Also judged by the config's plain `thresholds` (plain loads). */
  judgedByThresholds?: boolean;
}

export interface DrillKind<Kind extends string = string, Schema extends z.ZodType = z.ZodType> {
  readonly kind: Kind;
  /** Its config block (`drills.<kind>`, or a custom drill's under its own name). */
  readonly schema: Schema;
  /** The phases it goes through, in order: what a dry run and the docs show. */
  readonly phases: readonly string[];
  readonly defaultObjectives: DefaultObjectives;
  /** Audit findings (their ids) that explain a failure of this drill: the audit names the drills each endangers from these. */
  readonly explainedBy: readonly string[];
  build(config: z.output<Schema>, name: string, system: SystemShape): DrillBuild;
}

/** What a drill may check its config against before anything runs: the components the config declares (local; a cluster's are known at run time). */
interface SystemShape {
  components?: readonly string[] | undefined;
}

/** Declares a drill kind with its types checked (an identity function). */
export function defineDrillKind<const Kind extends string, Schema extends z.ZodType>(kind: DrillKind<Kind, Schema>): DrillKind<Kind, Schema> {
  return kind;
}

/** The phases of every disruption drill. */
export const DISRUPTION_PHASES = ['baseline', 'disruption', 'recovery', 'tail'] as const;
