/** A Markdown summary for a pull-request comment or $GITHUB_STEP_SUMMARY. */
import { formatDuration, inertMarkdown } from '../model/format.js';
import type { RunResult } from '../model/result.js';

/** Every string from a result is text from outside: see inertMarkdown. */
const text = inertMarkdown;

const cell = text;

function ms(v: number | null | undefined): string {
  return v === null || v === undefined ? 'n/a' : formatDuration(Math.round(v * 100) / 100);
}

export function renderMarkdown(run: RunResult, htmlReport?: string): string {
  const out: string[] = [];
  out.push(`## golive · ${text(run.name)}: ${run.passed ? '✅ ready' : '❌ not ready'}`, '');
  out.push('| drill | result | objectives missed |', '|---|---|---|');
  for (const d of run.drills) {
    const missed = d.objectives
      .filter((o) => !o.passed && !o.notJudged)
      .map((o) => `${o.name}${o.default ? ' (default)' : ''}: ${o.measured} (limit ${o.limit})`);
    out.push(`| ${cell(d.name)} | ${d.passed ? '✅ passed' : '❌ failed'} | ${cell(d.error ?? (missed.join('; ') || '—'))} |`);
  }
  out.push(
    '',
    '### Key figures',
    '',
    '| drill | requests | failed | p50 | p95 | p99 | downtime | degraded | other |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---|',
  );
  for (const d of run.drills) {
    const other: string[] = [];
    if (d.recovery)
      other.push(
        `recovery point ${d.recovery.pointMs === null ? 'unbounded' : ms(d.recovery.pointMs)}, recovery time ${ms(d.recovery.timeMs)}, ${d.recovery.lostWrites} of ${d.recovery.ackedWrites} writes lost${d.recovery.lostBeforeBackup ? ` (${d.recovery.lostBeforeBackup} acknowledged before the backup)` : ''}`,
      );
    if (d.setupMs !== undefined) other.push(`setup ${ms(d.setupMs)}`);
    if (d.generator.bound) other.push('⚠ generator-bound');
    out.push(
      `| ${cell(d.name)} | ${d.requests.total} | ${d.requests.failed} | ${ms(d.latencyMs.p50)} | ${ms(d.latencyMs.p95)} | ${ms(d.latencyMs.p99)} | ${ms(d.downtime.totalMs)} | ${ms(d.downtime.degradedMs)} | ${cell(other.join('; '))} |`,
    );
  }
  const withJourneys = run.drills.filter((d) => d.journeys?.length);
  if (withJourneys.length > 0) {
    out.push('', '### Journeys', '', '| drill | journey / step | started / requests | failed | p50 | p95 | p99 |', '|---|---|---:|---:|---:|---:|---:|');
    for (const d of withJourneys) {
      for (const j of d.journeys ?? []) {
        out.push(
          `| ${cell(d.name)} | **${cell(j.name)}** | ${j.started} | ${j.failed + j.timedOut} | ${ms(j.durationMs?.p50)} | ${ms(j.durationMs?.p95)} | ${ms(j.durationMs?.p99)} |`,
        );
        for (const s of j.steps)
          out.push(
            `| | ${cell(s.name)} | ${s.requests.total} | ${s.requests.failed} | ${ms(s.latencyMs.p50)} | ${ms(s.latencyMs.p95)} | ${ms(s.latencyMs.p99)} |`,
          );
      }
    }
  }
  const withWindows = run.drills.filter((d) => d.downtime.windows.length > 0);
  if (withWindows.length > 0) {
    out.push('', '### Outage windows', '');
    for (const d of withWindows) {
      out.push(`**${text(d.name)}** — ${d.downtime.windows.length} window(s), ${ms(d.downtime.totalMs)} in all`, '');
      for (const w of d.downtime.windows.slice(0, 10)) {
        const classes = Object.entries(w.outcomes)
          .map(([k, v]) => `${text(k)} ${v}`)
          .join(', ');
        const names = (list: typeof w.events): string =>
          list
            .slice(0, 3)
            .map((e) => `${text(e.kind)}${e.subject ? ` ${text(e.subject)}` : ''}`)
            .join(', ');
        const trigger = names(w.before ?? []);
        const events = names(w.events);
        out.push(
          `- ${ms(w.startMs)} → ${ms(w.endMs)} (${ms(w.endMs - w.startMs)}): ${w.failed} failed${classes ? ` [${classes}]` : ''}${trigger ? ` — after ${trigger}` : ''}${events ? ` — during ${events}` : ''}`,
        );
      }
      if (d.downtime.windows.length > 10) out.push(`- … ${d.downtime.windows.length - 10} more in summary.json`);
      out.push('');
    }
  }
  const platformSeries = (d: (typeof run.drills)[number]) => (d.observed ?? []).filter((q) => q.source !== 'local');
  const observed = run.drills.filter((d) => platformSeries(d).length);
  if (observed.length > 0) {
    out.push('', '### Platform series', '', '| drill | series | over | min | avg | max |', '|---|---|---|---:|---:|---:|');
    for (const d of observed) {
      for (const q of platformSeries(d)) {
        const s = q.disruption ?? q.drill;
        const f = (v: number): string => `${Math.round(v * 1000) / 1000}${q.unit ? ` ${text(q.unit)}` : ''}`;
        out.push(
          s && q.error === undefined
            ? `| ${cell(d.name)} | ${cell(q.name)} | ${q.disruption ? 'disruption' : 'drill'} | ${f(s.min)} | ${f(s.avg)} | ${f(s.max)} |`
            : `| ${cell(d.name)} | ${cell(q.name)} | ${cell(q.error ?? 'no data')} | | | |`,
        );
      }
    }
    out.push('');
  }
  const explained = run.drills.filter((d) => d.findings.length > 0);
  if (explained.length > 0) {
    out.push('### Why', '');
    for (const d of explained) for (const f of d.findings) out.push(`- **${text(d.name)}** ${text(f.id)}: ${cell(f.message)}`);
    out.push('');
  }
  if (out[out.length - 1] !== '') out.push('');
  if (htmlReport) out.push(`Full report: ${htmlReport.includes('`') ? text(htmlReport) : `\`${htmlReport}\``}`, '');
  return out.join('\n');
}
