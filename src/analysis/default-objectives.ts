/**
 * No objective is not a pass: a drill is judged by its kind's stated defaults for every kind of objective
 * the team set none of (errors, downtime), and zero requests answered never passes. README lists them per drill.
 */
import type { DefaultObjectives, Objectives } from './objective-types.js';
import type { Threshold } from './threshold.js';

export interface JudgedObjectives {
  objectives: Objectives;
  /** The names of the objectives that came from the defaults, for "default objective" in reports. */
  defaults: ReadonlySet<string>;
}

export function withDefaultObjectives(d: DefaultObjectives, o: Objectives, thresholds: readonly Threshold[]): JudgedObjectives {
  const all = [...thresholds, ...(o.thresholds ?? [])];
  const errorsCovered =
    o.maxErrorRate !== undefined || o.maxFailedRequests !== undefined || all.some((t) => t.metric.kind === 'rate' || t.metric.kind === 'count');
  const downtimeCovered = o.maxDowntime !== undefined;
  const added: Partial<Objectives> = {
    ...(!errorsCovered ? d.errors : {}),
    ...(!downtimeCovered ? d.downtime : {}),
    ...(o.maxLostBeforeBackup === undefined ? d.backup : {}),
  };
  return { objectives: { ...added, ...o }, defaults: new Set(Object.keys(added)) };
}
