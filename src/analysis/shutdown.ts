/**
 * Why requests failed during a rollout or drain with no outage window: an app that does not drain on
 * SIGTERM fails the requests in flight as each replica stops — a few 502s or resets per replica, never a
 * window. When most failures fall while replicas (pods) were stopping, that is the finding.
 */
import type { EventKind } from '../model/events.js';
import { BIN_MS } from '../model/recording.js';
import type { Finding, TimelineEvent } from '../model/result.js';

const STOPPING: readonly EventKind[] = ['replica.terminating', 'pod.terminating'];
const GONE: readonly EventKind[] = ['replica.exited', 'pod.deleted'];
/** Requests that started this long before a replica stopped were in flight when it did. */
const IN_FLIGHT_MS = 1000;
const AFTER_EXIT_MS = 200;

const SHUTDOWN_FIX =
  'On SIGTERM: fail readiness, keep serving until the Service stops sending (a few seconds, or a preStop sleep), stop accepting, finish requests in flight, close idle keep-alive connections, then exit.\n' +
  "Node: process.on('SIGTERM', () => { server.close(); server.closeIdleConnections(); })\n" +
  'Python: gunicorn --graceful-timeout 30 (uvicorn --timeout-graceful-shutdown 30)\n' +
  'nginx: stop with SIGQUIT (nginx -s quit), not SIGTERM';

export function shutdownFindings(events: readonly TimelineEvent[], failuresByBin: Record<string, Map<number, number>>): Finding[] {
  const stops = events.filter((e) => STOPPING.includes(e.kind));
  if (stops.length === 0) return [];
  const spans = stops.map((s) => {
    const gone = events.find((e) => GONE.includes(e.kind) && e.subject === s.subject && e.atMs >= s.atMs);
    return { subject: s.subject ?? '?', fromMs: s.atMs - IN_FLIGHT_MS, toMs: (gone?.atMs ?? s.atMs + 30_000) + AFTER_EXIT_MS, atMs: s.atMs };
  });
  let total = 0;
  let near = 0;
  const hit = new Set<string>();
  for (const bins of Object.values(failuresByBin)) {
    for (const [bin, count] of bins) {
      total += count;
      const t = bin * BIN_MS;
      const span = spans.find((s) => t >= s.fromMs && t < s.toMs);
      if (span) {
        near += count;
        hit.add(`${span.subject} at ${(span.atMs / 1000).toFixed(1)} s`);
      }
    }
  }
  if (near === 0 || near < total / 2) return [];
  const where = [...hit].slice(0, 4).join(', ') + (hit.size > 4 ? ` and ${hit.size - 4} more` : '');
  return [
    {
      id: 'shutdown',
      severity: 'warning',
      message: `${near} of the ${total} failed requests came while replicas were stopping (${where}): the app does not finish requests in flight on SIGTERM, or closes keep-alive connections under them`,
      fix: SHUTDOWN_FIX,
    },
  ];
}
