/**
 * After drills: which audit findings explain each failed drill's outage windows. A finding explains a
 * window when it endangers that drill and the window holds the kind of event the finding is about (pods
 * terminating for graceful shutdown, evictions for disruption budgets, …); a finding about the drill as a
 * whole (one replica, Recreate) explains every window of it.
 */
import { COMING_UP, GOING_AWAY, READINESS, type EventKind } from '../model/events.js';
import type { DrillResult, Finding } from '../model/result.js';
import type { AuditFinding } from './model.js';

const NODE_DRAIN: readonly EventKind[] = ['eviction', 'eviction.blocked', 'node.cordoned', 'node.drained', 'drill.node'];
const ZONE_LOSS: readonly EventKind[] = ['zone.lost', 'zone.detected', 'zone.hook'];

/** Events that must be inside a window for a finding to explain it; absent: any window of the drill. */
const NEEDS_EVENT: Record<string, readonly EventKind[]> = {
  GL005: COMING_UP,
  GL006: READINESS,
  GL007: GOING_AWAY,
  GL008: ['eviction', 'node.cordoned'],
  GL011: NODE_DRAIN,
  GL012: ZONE_LOSS,
  GL015: [...ZONE_LOSS, 'replica.pending', 'eviction'],
};

export function diagnose(drill: DrillResult, findings: AuditFinding[]): Finding[] {
  if (drill.passed && drill.downtime.windows.length === 0) return [];
  // In a system of several components, a finding about one of them explains only what its replicas took part in.
  const several = new Set(findings.map(workloadOf)).size > 1;
  const ofIt = (f: AuditFinding, from: number, to: number): boolean =>
    !several || drill.events.some((e) => e.atMs >= from && e.atMs < to && namesReplicaOf(e.subject, workloadOf(f)));
  const relevant = findings.filter((f) => f.drills.includes(drill.kind) && ofIt(f, -Infinity, Infinity));
  const out: Finding[] = [];
  for (const f of relevant) {
    const needs = NEEDS_EVENT[f.id];
    // The cause may come just before the failures it causes (an eviction, then the errors): look 1 s back.
    const near = (w: DrillResult['downtime']['windows'][number]): boolean =>
      drill.events.some((e) => e.atMs >= w.startMs - 1000 && e.atMs < w.endMs && needs!.includes(e.kind));
    const windows = drill.downtime.windows.filter((w) => (!needs || near(w)) && ofIt(f, w.startMs - 1000, w.endMs));
    let where: string;
    if (windows.length > 0)
      where = `outage window${windows.length > 1 ? 's' : ''} ${windows
        .slice(0, 5)
        .map((w) => `${(w.startMs / 1000).toFixed(1)}–${(w.endMs / 1000).toFixed(1)} s`)
        .join(', ')}${windows.length > 5 ? ` and ${windows.length - 5} more` : ''}`;
    else if ((drill.recovery?.lostWrites ?? 0) > 0 && (f.id === 'GL016' || f.id === 'GL017')) where = `the ${drill.recovery!.lostWrites} lost writes`;
    else if (!drill.passed && drill.downtime.windows.length === 0 && !needs) where = 'the missed objectives';
    else continue;
    out.push({
      id: f.id,
      severity: f.severity,
      message: `explains ${where}: ${f.object}: ${f.message}${f.location ? ` (${f.location.file}:${f.location.line})` : ''}`,
      fix: f.fix,
    });
  }
  return out;
}

/** The workload (component) a finding is about: the name in its object (`LocalApp local/api`, `Deployment shop/web`). */
function workloadOf(f: AuditFinding): string {
  return f.object.slice(f.object.lastIndexOf('/') + 1);
}

/** Replicas and pods carry their workload's name first (`api-r2-4`, `web-5d9c-x2l`). */
function namesReplicaOf(subject: string | undefined, workload: string): boolean {
  return subject !== undefined && subject.startsWith(`${workload}-`);
}
