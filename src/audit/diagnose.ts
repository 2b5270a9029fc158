/**
 * After drills: which audit findings explain each failed drill's outage windows. A finding explains a
 * window when it endangers that drill and the window holds the kind of event the finding is about (pods
 * terminating for graceful shutdown, evictions for disruption budgets, …); a finding about the drill as a
 * whole (one replica, Recreate) explains every window of it. In a system of several components, a finding
 * about one of them explains only what its own replicas or pods took part in: an eviction of the front's pod
 * is not explained by the api's missing budget.
 */
import { COMING_UP, GOING_AWAY, READINESS, type EventKind } from '../model/events.js';
import type { DrillResult, Finding, TimelineEvent } from '../model/result.js';
import type { AuditFinding } from './model.js';

const NODE_DRAIN: readonly EventKind[] = ['eviction', 'eviction.blocked', 'node.cordoned', 'node.drained', 'drill.node'];
const ZONE_LOSS: readonly EventKind[] = ['zone.lost', 'zone.detected', 'zone.hook'];
/** Kinds whose subject names a replica or pod (`name`, or `namespace/name` for evictions). */
const ABOUT_A_POD: ReadonlySet<EventKind> = new Set([...GOING_AWAY, ...COMING_UP, ...READINESS, 'eviction.blocked']);

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

type Window = DrillResult['downtime']['windows'][number];

export function diagnose(drill: DrillResult, findings: AuditFinding[]): Finding[] {
  if (drill.passed && drill.downtime.windows.length === 0) return [];
  // In a system of several components, a finding about one of them explains only what its replicas took part in.
  const several = new Set(findings.map(workloadOf)).size > 1;
  const out: Finding[] = [];
  for (const f of findings.filter((x) => x.drills.includes(drill.kind))) {
    const ownPod = podOfWorkload(f.object);
    const names = (subject: string | undefined): boolean => (ownPod ? ownPod(subject ?? '') : namesReplicaOf(subject, workloadOf(f)));
    if (several && !drill.events.some((e) => names(e.subject))) continue;
    const needs = NEEDS_EVENT[f.id];
    // An event about a pod counts for a Deployment's or StatefulSet's finding only when the pod is its own.
    const counts = (e: TimelineEvent): boolean => !ownPod || !ABOUT_A_POD.has(e.kind) || ownPod(e.subject ?? '');
    // The cause may come just before the failures it causes (an eviction, then the errors): look 1 s back.
    const near = (w: Window): boolean => drill.events.some((e) => e.atMs >= w.startMs - 1000 && e.atMs < w.endMs && needs!.includes(e.kind) && counts(e));
    // A pod's part lasts from its first event until it is Ready or gone; a local replica's, the events near the window.
    const disrupted = ownPod ? disruptions(drill.events, ownPod) : [];
    const involved = (w: Window): boolean =>
      !several ||
      (ownPod
        ? disrupted.some(([from, to]) => from < w.endMs && to >= w.startMs - 1000)
        : drill.events.some((e) => e.atMs >= w.startMs - 1000 && e.atMs < w.endMs && names(e.subject)));
    const windows = drill.downtime.windows.filter((w) => (!needs || near(w)) && involved(w));
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

/** Replicas carry their component's name first (`api-r2-4`). */
function namesReplicaOf(subject: string | undefined, workload: string): boolean {
  return subject !== undefined && subject.startsWith(`${workload}-`);
}

/**
 * For a finding about a Deployment or StatefulSet (`Deployment shop/api`), whether a subject is one of its
 * pods: `api-<hash>-<suffix>` or `api-<ordinal>`, optionally as `shop/…` (a prefix alone would take
 * `api-v2`'s pods for `api`'s). Undefined for other objects.
 */
function podOfWorkload(object: string): ((subject: string) => boolean) | undefined {
  const m = /^(Deployment|StatefulSet) ([^/\s]+)\/(\S+)$/.exec(object);
  if (!m) return undefined;
  const [, kind, namespace, name] = m as unknown as [string, string, string, string];
  const rest = kind === 'Deployment' ? /^[a-z0-9]+-[a-z0-9]+$/ : /^\d+$/;
  return (subject) => {
    const pod = subject.startsWith(`${namespace}/`) ? subject.slice(namespace.length + 1) : subject;
    return pod.startsWith(`${name}-`) && rest.test(pod.slice(name.length + 1));
  };
}

/**
 * When the workload's pods were not simply serving: from a pod's first event (evicted, terminating, not
 * Ready, created) until it is Ready or deleted; a pod never seen Ready or deleted again stays disrupted.
 */
function disruptions(events: readonly TimelineEvent[], ownPod: (subject: string) => boolean): [number, number][] {
  const out: [number, number][] = [];
  const since = new Map<string, number>();
  for (const e of events) {
    if (!ABOUT_A_POD.has(e.kind) || !ownPod(e.subject ?? '')) continue;
    const pod = (e.subject ?? '').replace(/^[^/]*\//, '');
    if (e.kind === 'pod.ready' || e.kind === 'pod.deleted') {
      out.push([since.get(pod) ?? e.atMs, e.atMs]);
      since.delete(pod);
    } else if (!since.has(pod)) since.set(pod, e.atMs);
  }
  for (const from of since.values()) out.push([from, Infinity]);
  return out;
}
