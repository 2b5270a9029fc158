/**
 * What a drill is to the runner: a name, the load to run, objectives, what it needs of the platform, and
 * optionally what to do while the load runs. Shared runner code never branches on a drill's kind; each
 * drill declares what it needs.
 */
import type { Threshold } from '../analysis/threshold.js';
import type { DefaultObjectives, Objectives } from '../analysis/objective-types.js';
import type { LoadPlan } from '../engine/plan.js';
import type { WorkerKind } from '../engine/worker-channel.js';
import type { EventKind } from '../model/events.js';
import type { DrillDetails, Finding, RecoveryResult } from '../model/result.js';
import type { DrillNeeds, HookRunner, Platform } from '../platforms/platform.js';
import type { DrillKindName } from './kinds.js';

export interface DrillContext {
  /** Milliseconds since the drill's load started, on the clock the load's outcomes use. */
  now(): number;
  /** Epoch milliseconds of the drill's time zero. */
  zeroEpochMs: number;
  /** Puts an event on the drill's timeline. */
  event(kind: EventKind, message: string, subject?: string): void;
  /** Starts the named phase (the previous one ends here). */
  phase(name: string): void;
  /** Aborted on Ctrl-C. */
  signal: AbortSignal;
  sleep(ms: number): Promise<void>;
  /** Where disruptions happen (absent for a plain load test). */
  platform: Platform | undefined;
  hooks: HookRunner;
  /** Where the load goes. */
  targetUrl: string;
  /** The load the drill runs (a redeploy's smoke test sends its requests). */
  plan: LoadPlan;
  /** A dry run: the platform describes changes, nothing waits, no load runs. */
  dryRun?: boolean;
  /** The drill's teardowns: registered before the change they undo, run in reverse at the drill's end. */
  onTeardown(what: string, manual: string, run: () => Promise<void>): void;
}

/** Figures a drill measures beyond the load's own. */
export interface PerformResult {
  recovery?: RecoveryResult;
  setupMs?: number;
  /** The app's own setup step failed (a build, a deploy command): the drill fails on it, judged. */
  setupFailure?: string;
  details?: DrillDetails;
  findings?: Finding[];
}

/** Something that watches the platform beside a plain load (usage sampling): started with the load, stopped at its end. */
/** Watches the platform while a plain load runs; `now` is the drill's clock (ms since the load's time zero). */
export type Observe = (platform: Platform, signal: AbortSignal, now: () => number) => { stop(): Promise<PerformResult> } | undefined;

export interface DrillSpec {
  name: string;
  kind: DrillKindName;
  plan: LoadPlan;
  /** Where the load runs: worker threads here, or worker processes. */
  workers: { kind: WorkerKind; count: number };
  objectives: Objectives;
  /** What the drill's kind judges it by where the team set no objective of a kind. */
  defaultObjectives: DefaultObjectives;
  thresholds: readonly Threshold[];
  needs: DrillNeeds;
  /**
   * Runs while the load runs (the plan is open-ended) and returns when the drill is over. Without it the
   * load runs for the plan's duration as one phase named `load`.
   */
  perform?: (ctx: DrillContext) => Promise<PerformResult>;
  /** Without `perform`: what to watch on the platform while the load runs. */
  observe?: Observe;
}
