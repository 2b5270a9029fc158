/**
 * What a team asks of a drill, as the analysis judges it: analysis owns these types; the config's schema
 * (src/schema/fields.ts) is checked against them at compile time.
 */
import type { Threshold } from './threshold.js';

type LatencyPhase = 'all' | 'baseline' | 'disruption' | 'recovery' | 'tail';

/** A drill's objectives, durations in milliseconds. */
export interface Objectives {
  /** Latency thresholds for the whole drill, or per phase. */
  latency?: Threshold[] | Partial<Record<LatencyPhase, Threshold[]>> | undefined;
  thresholds?: Threshold[] | undefined;
  maxErrorRate?: number | undefined;
  maxFailedRequests?: number | undefined;
  maxFailedJourneys?: number | undefined;
  maxDowntime?: number | undefined;
  maxDegraded?: number | undefined;
  maxRecoveryPoint?: number | undefined;
  maxRecoveryTime?: number | undefined;
  maxLostWrites?: number | undefined;
  maxLostBeforeBackup?: number | undefined;
  maxSetupTime?: number | undefined;
  maxCpuOfLimit?: number | undefined;
  maxMemoryOfLimit?: number | undefined;
}

/**
 * The objectives golive judges a drill by when the team set none of a kind (no objective is not a pass):
 * errors, downtime, the backup's completeness. Each drill kind declares its own.
 */
export interface DefaultObjectives {
  errors?: Partial<Objectives>;
  downtime?: Partial<Objectives>;
  backup?: Partial<Objectives>;
}
