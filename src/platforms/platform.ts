/**
 * What drills need from a platform. Two implementations: `local` (golive supervises the application as
 * processes) and `kubernetes` (the real cluster through its API). Drills see a platform only through this.
 * Every method that changes something journals it first and registers its undo on the run's teardown
 * stack (given at creation), so the run undoes it at the drill's or the run's end, on error and on Ctrl-C.
 */
import type { AuditSources } from '../audit/audit.js';
import type { LoadPlan } from '../engine/plan.js';
import type { WorkerFleet } from '../engine/worker-channel.js';
import type { EventSink } from '../model/events.js';
import type { CapacityReport, Placement } from '../model/result.js';
import type { Journal } from '../safety/journal.js';
import type { TeardownStack } from '../safety/teardown-stack.js';

export type { EventSink } from '../model/events.js';

/**
 * What a drill asks of a platform, declared by the drill: the kubernetes platform derives the permissions
 * it checks (and `golive rbac` prints) from these, never from drill names.
 */
export type PlatformOperation = 'rollout' | 'scale' | 'drain' | 'fail-zone' | 'kill' | 'backup' | 'destroy' | 'deploy' | 'usage';

export interface DrillNeeds {
  operations: readonly PlatformOperation[];
  /** Deletes the environment and its data (disaster-recovery, redeploy): needs consent, never in protected namespaces. */
  destroysEnvironment: boolean;
}

/** What an app-update changes. */
export type RolloutChange =
  | { kind: 'restart' }
  | { kind: 'env'; name: string; value: string }
  | { kind: 'image'; image: string; container?: string | undefined }
  | { kind: 'run'; command: string };

export interface ZoneInfo {
  zone: string;
  nodes: string[];
  /** Replicas (pods) of the application running there now, every component's. */
  replicas: number;
}

/** One component of the system under test: a supervised command (local), a Deployment or StatefulSet (kubernetes). */
export interface ComponentInfo {
  name: string;
  /** Replicas it wants. */
  replicas: number;
  /** Zones it may run in (a zonal volume, a node affinity); undefined: any zone. */
  zones?: readonly string[] | undefined;
}

type HookRole = 'hook' | 'build' | 'deploy command';

/** How a redeploy deploys: from a clean clone at HEAD, with empty package caches unless told otherwise. */
export interface DeployOptions {
  repo: string;
  build?: string | undefined;
  command?: string | undefined;
  /** Build and start with empty package caches (a fresh HOME, npm_config_cache, PIP_CACHE_DIR, …). */
  coldCaches: boolean;
}

export interface HookRunner {
  /**
   * Runs a user's shell command with GOLIVE_* variables; its output becomes events. `role` names it in errors;
   * a failing `build` or `deploy command` is the app's setup failing (GOLIVE_SETUP_FAILED), not golive's.
   */
  run(command: string, env: Record<string, string>, signal: AbortSignal, cwd?: string, role?: HookRole): Promise<void>;
  /** Shows an operator what to do and waits for them to confirm; the load keeps running. */
  manual(instruction: string, signal: AbortSignal): Promise<void>;
}

/** A hook runner that describes instead of running (a dry run's): it has no way to start a process. */
export interface PlannedHookRunner extends HookRunner {
  readonly plans: true;
}

export interface NodeDrainOptions {
  timeoutMs: number;
  /** How the node is rebooted after it is drained: a delay (local), the user's command, or an operator. */
  reboot?: { delayMs: number } | { run: string } | { manual: string } | undefined;
}

export type ZoneOutageMode = { kind: 'evict' } | { kind: 'unreachable' } | { kind: 'run'; command: string };

/** What every platform is given by the run: where things go, and where its changes are journalled and undone. */
export interface PlatformServices {
  /** Folder relative paths in the config are resolved against. */
  baseDir: string;
  /** The run's folder: replica logs and snapshots go there. */
  runDir: string;
  runId: string;
  journal: Journal;
  /** The run's teardown stack: every change registers its undo here before it is made. */
  teardowns: TeardownStack;
  hooks: HookRunner;
}

export interface PlatformInfo {
  kind: 'local' | 'kubernetes';
  context?: string;
  namespace?: string;
  /** One line: where golive is pointed. */
  description: string;
}

export interface Platform {
  readonly info: PlatformInfo;
  /** Brings the application up (local) or checks the target (kubernetes); returns the URL load goes to, if it provides one. */
  start(signal: AbortSignal): Promise<{ url?: string }>;
  /** Where platform events go: the running drill's timeline. */
  setEventSink(sink: EventSink): void;
  /** Resolves when every replica the application wants is ready. */
  waitReady(timeoutMs: number, signal: AbortSignal): Promise<void>;
  /** The system's components, in the order they start; `entry` (where users' traffic goes) first. */
  components(): Promise<ComponentInfo[]>;
  /** Rolls `change` out to one component (default: the entry) and resolves when it is complete. */
  rollout(change: RolloutChange, timeoutMs: number, signal: AbortSignal, component?: string): Promise<void>;
  /** Nodes running the application now (or every schedulable node). */
  nodes(which: 'hosting' | 'all'): Promise<string[]>;
  /** Cordon, move the application off, optionally reboot, uncordon. Resolves when replacements are ready. */
  drainNode(node: string, options: NodeDrainOptions, signal: AbortSignal): Promise<void>;
  zones(): Promise<ZoneInfo[]>;
  /** Loses a whole zone at once; resolves once the loss is in effect (not when the app recovered). */
  failZone(zone: string, mode: ZoneOutageMode, signal: AbortSignal): Promise<void>;
  /** Resolves when none of the application's replicas run in the lost zone any more (they moved, or died and were replaced elsewhere). */
  waitZoneEvacuated(zone: string, timeoutMs: number, signal: AbortSignal): Promise<void>;
  /** Brings a lost zone back. */
  restoreZone(zone: string, signal: AbortSignal): Promise<void>;
  scale(replicas: number, signal: AbortSignal): Promise<void>;
  /** Kills `count` replicas abruptly. */
  killReplicas(count: number, signal: AbortSignal): Promise<void>;
  /** Takes a backup of the application's data; returns its id. */
  backup(signal: AbortSignal): Promise<string>;
  /** Destroys the environment: every replica gone, its data deleted. */
  destroy(signal: AbortSignal): Promise<void>;
  /** Restores from a backup and starts the application again. */
  restore(backupId: string, signal: AbortSignal): Promise<void>;
  /** Resets the environment to empty (returns when it is), for a redeploy. */
  reset(signal: AbortSignal): Promise<void>;
  /** Deploys from a clean clone of the repository at HEAD. */
  deployFromRepo(options: DeployOptions, signal: AbortSignal): Promise<void>;
  /**
   * Starts sampling the workload's resource usage while load runs (capacity drill); `stop` returns the
   * figures. Optional: platforms that cannot measure usage leave it out.
   */
  sampleCapacity?(signal: AbortSignal, now: () => number): { stop(): Promise<CapacityReport> };
  /** Where the workload's replicas (pods) run now, per zone and node. */
  placement?(): Promise<Placement>;
  /** Puts the workload back to its configured replica count and spread before a drill (counted as setup). */
  restoreSteadyState?(signal: AbortSignal): Promise<void>;
  /** Runs the load as worker pods of the platform (scale-out as a Kubernetes Job). */
  workerFleet?(plan: LoadPlan, count: number): WorkerFleet;
  /** What the audit reads to explain failed drills: the live namespace, or the local app's config. */
  auditSources?(): Pick<AuditSources, 'cluster' | 'local'>;
}

/**
 * A platform that plans (a dry run's): every change is described in words and none is made. Only the
 * platform registry makes one; the dry run's drill runner accepts nothing else.
 */
export interface PlannedPlatform extends Platform {
  readonly plans: true;
}
