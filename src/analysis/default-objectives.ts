/**
 * No objective is not a pass: a drill is judged by stated defaults for every kind of objective the team
 * set none of (errors, downtime), and zero requests answered never passes. README lists them per drill.
 */
import type { ResolvedObjectives } from '../config/schema.js';
import type { Threshold } from './threshold.js';

type Defaults = { errors?: Partial<ResolvedObjectives>; downtime?: Partial<ResolvedObjectives>; backup?: Partial<ResolvedObjectives> };

/** Per drill kind; a drill that destroys the environment expects failures while it is gone. */
const DEFAULTS: Readonly<Record<string, Defaults>> = {
  load: { errors: { maxErrorRate: 0.01 } },
  capacity: { errors: { maxErrorRate: 0.01 } },
  'app-update': { errors: { maxFailedRequests: 0 }, downtime: { maxDowntime: 0 } },
  'node-drain': { errors: { maxFailedRequests: 0 }, downtime: { maxDowntime: 0 } },
  'zone-outage': { errors: { maxErrorRate: 0.01 }, downtime: { maxDowntime: 0 } },
  custom: { errors: { maxErrorRate: 0.01 } },
  // A backup missing writes acknowledged before it began is incomplete: the finding that matters most.
  'disaster-recovery': { backup: { maxLostBeforeBackup: 0 } },
  redeploy: {},
};

export interface JudgedObjectives {
  objectives: ResolvedObjectives;
  /** The names of the objectives that came from the defaults, for "default objective" in reports. */
  defaults: ReadonlySet<string>;
}

export function withDefaultObjectives(kind: string, o: ResolvedObjectives, thresholds: readonly Threshold[]): JudgedObjectives {
  const d = DEFAULTS[kind] ?? DEFAULTS['custom']!;
  const all = [...thresholds, ...(o.thresholds ?? [])];
  const errorsCovered =
    o.maxErrorRate !== undefined || o.maxFailedRequests !== undefined || all.some((t) => t.metric.kind === 'rate' || t.metric.kind === 'count');
  const downtimeCovered = o.maxDowntime !== undefined;
  const added: Partial<ResolvedObjectives> = {
    ...(!errorsCovered ? d.errors : {}),
    ...(!downtimeCovered ? d.downtime : {}),
    ...(o.maxLostBeforeBackup === undefined ? d.backup : {}),
  };
  return { objectives: { ...added, ...o }, defaults: new Set(Object.keys(added)) };
}
