/**
 * The result model (DESIGN.md §7): what `summary.json` holds and every reporter reads.
 * Milliseconds unless a name says otherwise; `atMs`, `startMs`, `endMs` are relative to the drill's start.
 */
import type { EventKind } from './events.js';
import type { OutcomeCounts } from './outcome.js';
import type { JourneyEnds } from './recording.js';

export interface RequestCounts {
  /** Requests the target was sent: ok + failed. */
  total: number;
  ok: number;
  failed: number;
  /** Starts the generator missed because it fell behind (not sent, not counted in `total`). */
  dropped: number;
  byOutcome: OutcomeCounts;
}

export interface LatencyStats {
  avg: number;
  min: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  p999: number;
  max: number;
}

export interface LoadDescription {
  model: 'open' | 'closed';
  executor: string;
  /** Requests per second asked for (open model; journeys per second with journeys); absent for the closed model. */
  targetRps?: number;
  /** The journeys the load runs (load.journeys): the open model's rate then counts journeys started. */
  journeys?: string[];
  vus?: number;
  durationMs: number;
  connections: number;
  threads: number;
  /** Where the load ran: threads of this process, or separate worker processes. */
  workers: { kind: 'threads' | 'processes' | 'kubernetes'; count: number };
  /** The team's own tool ran the load (load.generator): which, what its model means for the figures, and its clock. */
  generator?: {
    kind: 'locust' | 'k6';
    note: string;
    /** Wall-clock epoch ms of the drill's time zero, and the tool's clock minus golive's (one measured offset). */
    zeroEpochMs?: number;
    clockOffsetMs?: number;
  };
}

export interface OutageWindow {
  startMs: number;
  endMs: number;
  failed: number;
  outcomes: OutcomeCounts;
  events: TimelineEvent[];
  /**
   * Events in the second before the window began: its likely trigger (a zone lost at 3.00 s, the first
   * failure at 3.01 s). Absent in results written by earlier versions of golive.
   */
  before?: TimelineEvent[];
}

export interface DowntimeResult {
  totalMs: number;
  longestMs: number;
  degradedMs: number;
  windows: OutageWindow[];
}

export interface PhaseResult {
  name: string;
  startMs: number;
  endMs: number;
  requests: RequestCounts;
  latencyMs: LatencyStats;
  throughput: { rps: number };
}

export interface TimelineEvent {
  atMs: number;
  kind: EventKind;
  subject?: string;
  message: string;
}

export interface ObjectiveResult {
  name: string;
  limit: string;
  measured: string;
  passed: boolean;
  /** How many requests (or writes) the measured figure rests on. */
  basis?: string;
  /** golive's default for this drill (the team set no objective of this kind): README lists them. */
  default?: true;
  /** The drill did not complete (error, interrupted): nothing is judged, and `passed` is false. */
  notJudged?: true;
}

export interface GeneratorHealth {
  /** True when the generator could not keep the schedule: figures may understate what users would see. */
  bound: boolean;
  dropped: number;
  /** 99th percentile of how late the generator started requests, ms. */
  lagP99Ms: number;
  warnings: string[];
  /** Each worker's start against the shared time zero (ms): clock skew plus wake-up. */
  startOffsetsMs: (number | null)[];
  /**
   * The rate the generator really achieved: starts sent ÷ the time from zero to the last send (or the planned
   * length, if longer), against the planned rate (open model; null in the closed model), and the error in %.
   */
  rate?: { plannedRps: number | null; achievedRps: number; errorPct: number | null };
  /** Workers that died during the run; their remaining starts are in `dropped`. */
  lostWorkers: { index: number; atMs: number; reason: string; droppedStarts: number }[];
}

export interface RecoveryResult {
  /** t(disaster) − the ack time of the newest write all of whose predecessors survived; null when unbounded (the first write is lost). */
  pointMs: number | null;
  timeMs: number | null;
  ackedWrites: number;
  lostWrites: number;
  /** Writes acknowledged before the backup began, and how many of them the restore does not hold. */
  ackedBeforeBackup?: number;
  lostBeforeBackup?: number;
}

export interface Finding {
  id: string;
  severity: 'info' | 'warning' | 'error';
  message: string;
  fix?: string;
}

/** What the capacity drill learns from the platform: usage against requests and limits, and headroom. */
export interface CapacityReport {
  /** Why usage could not be measured (e.g. no metrics-server), instead of reporting zeros. */
  usageUnavailable?: string;
  samples: number;
  /** Peak usage of any one pod, and the pod's request and limit (millicores, MiB). */
  cpu?: { peakMillicores: number; requestMillicores: number | null; limitMillicores: number | null; peakOfLimit: number | null };
  memory?: { peakMiB: number; requestMiB: number | null; limitMiB: number | null; peakOfLimit: number | null };
  /** Each component's peaks against its own requests and limits, when the system has several (`cpu` and `memory` above are the one nearest its limit). */
  components?: {
    name: string;
    cpu: { peakMillicores: number; requestMillicores: number | null; limitMillicores: number | null; peakOfLimit: number | null };
    memory: { peakMiB: number; requestMiB: number | null; limitMiB: number | null; peakOfLimit: number | null };
  }[];
  /** Each replica's peaks, and the peaks of their sum (local platform). */
  replicas?: { id: string; peakMillicores: number; peakMiB: number }[];
  total?: { peakMillicores: number; peakMiB: number };
  /** What else shared the machine (local platform): the Service's proxy thread, the rest of golive, all cores. */
  service?: { thread: string; peakMillicores: number };
  golive?: { peakMillicores: number };
  machine?: { cores: number; peakBusy: number };
  /** Each second's usage on the drill's clock: replicas in total, Service, golive (millicores), machine busy (0–1). */
  series?: {
    atMs: number;
    replicasMillicores: number;
    replicasMiB: number;
    serviceMillicores: number | null;
    goliveMillicores: number;
    machineBusy: number | null;
  }[];
  /** What limited the load, from the measurements above and the generator's start lag (set by the analysis). */
  saturation?: { limitedBy: ('generator' | 'service' | 'application' | 'machine')[]; notes: string[] };
  /** Would the workload's pods fit on the other nodes if the largest node, or the largest zone, were lost? */
  headroom?: { largestNode: { name: string; fits: boolean; detail: string }; largestZone: { name: string; fits: boolean; detail: string } | null };
}

/** Where the workload's replicas (pods) ran when a drill began. */
export interface Placement {
  byZone: Record<string, number>;
  byNode: Record<string, number>;
  /** The same per component, when the system has several. */
  byComponent?: Record<string, { byZone: Record<string, number>; byNode: Record<string, number> }>;
  /** Set when one zone holds more than its share: a zone-outage there takes more than a zone's worth. */
  skew?: string;
}

/** A drill's own figures: the platform's usage (capacity), or what its drill kind adds (defined by the kind). */
export type DrillDetails = UsageDetails | KindDetails;

export type UsageDetails = { kind: 'usage' } & CapacityReport;

/** Figures a drill kind adds, named by its kind: a zone lost and when it was replaced, canary writes, a drain's nodes. */
export interface KindDetails {
  kind: string;
  /** Cumulative acknowledged and lost canary writes per second, by acknowledgement time (disaster-recovery). */
  canary?: { t: number[]; acked: number[]; lost: number[] };
  [field: string]: unknown;
}

export function isUsageDetails(d: DrillDetails | undefined): d is UsageDetails {
  return d?.kind === 'usage';
}

/** One label set of a platform query, on the drill's clock. */
export interface ObservedSeries {
  labels: Record<string, string>;
  /** ms from the drill's time zero, and the value at each. */
  t: number[];
  v: number[];
  /**
   * Points Prometheus answered with +Inf, -Inf or NaN (a ratio divided by zero), which JSON cannot hold as
   * numbers: kept apart, in Prometheus's spelling, and judged (README "Platform series").
   */
  nonFinite?: { t: number[]; v: ('+Inf' | '-Inf' | 'NaN')[] };
}

/** Over the finite points; `nonFinite` counts the +Inf, -Inf and NaN points left out of these figures. */
export interface SeriesSummary {
  min: number;
  avg: number;
  max: number;
  last: number;
  nonFinite?: number;
}

/** A query against the platform's monitoring (Prometheus) over the drill's window, read after the drill. */
export interface ObservedQuery {
  name: string;
  query: string;
  unit?: string;
  /** `prometheus`: observe.prometheus; `local`: what the local platform sampled itself (/proc), the same shape. */
  source: 'prometheus' | 'local';
  /** Why there is no series: Prometheus's own error, unreachable, or no data. Never reported as 0. */
  error?: string;
  series: ObservedSeries[];
  /** Over every label set: the whole drill, and the disruption phase (null without one or without points in it). */
  drill: SeriesSummary | null;
  disruption: SeriesSummary | null;
}

/** One journey of the load over a drill: how its journeys ended, how long they took, each step's figures. */
export interface JourneyResult extends JourneyEnds {
  name: string;
  /** (failed + timedOut) ÷ the journeys that ended (completed + failed + timedOut). */
  failedRate: number;
  /** Completed journeys, first step's intended start → last response; null when none completed. */
  durationMs: LatencyStats | null;
  /** Latency from each step's intended start (the previous response plus the think time). */
  steps: { name: string; requests: RequestCounts; latencyMs: LatencyStats }[];
}

export interface DrillResult {
  name: string;
  kind: string;
  passed: boolean;
  /** Set when the drill could not complete (error, interrupted); `passed` is then false. */
  error?: string;
  /** A dry run's plan of the drill: no load, nothing changed; its steps are the events, `error` a plan that failed. */
  planned?: true;
  startedAt: string;
  load: LoadDescription;
  requests: RequestCounts;
  throughput: { rps: number };
  latencyMs: LatencyStats;
  serviceTimeMs: LatencyStats;
  downtime: DowntimeResult;
  phases: PhaseResult[];
  generator: GeneratorHealth;
  recovery?: RecoveryResult;
  setupMs?: number;
  /** Set when the app's own setup step (build, deploy command) failed: what failed, briefly. */
  setupFailure?: string;
  /** Where the workload ran when the drill began (platforms that can tell). */
  placement?: Placement;
  /** What the drill learned beyond the load's own figures, by drill: usage, drained nodes, the lost zone, backups. */
  capacity?: DrillDetails;
  objectives: ObjectiveResult[];
  events: TimelineEvent[];
  findings: Finding[];
  /** The platform's own signals over the drill (observe.prometheus), each judged when it has an objective. */
  observed?: ObservedQuery[];
  /** Per journey, when the load ran journeys (load.journeys). */
  journeys?: JourneyResult[];
}

export interface RunResult {
  version: 1;
  tool: { name: 'golive'; version: string };
  name: string;
  startedAt: string;
  finishedAt: string;
  passed: boolean;
  platform: { kind: 'none' | 'local' | 'kubernetes'; context?: string; namespace?: string };
  drills: DrillResult[];
  /** Why the run stopped before its last drill (a platform failure between drills). */
  error?: string;
  /** A dry run: the drills were planned, not run (`passed` is false: nothing was proven); valid when every plan could be made. */
  dryRun?: { valid: boolean };
}
