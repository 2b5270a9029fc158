/**
 * JUnit XML in the Ant format Jenkins, GitLab and GitHub reporters read: one testsuite per run, one testcase
 * per drill, a failure listing every objective missed (limit and measured), an error when a drill could not
 * complete.
 */
import { hostname } from 'node:os';
import type { DrillResult, RunResult } from '../model/result.js';

function xml(text: string): string {
  // Characters XML 1.0 cannot hold at all are dropped; the five markup characters are escaped.
  return (
    text
      // eslint-disable-next-line no-control-regex
      .replace(/[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&apos;')
  );
}

function seconds(ms: number): string {
  return (Math.max(0, ms) / 1000).toFixed(3);
}

function testcase(d: DrillResult, suite: string): string {
  const missed = d.objectives.filter((o) => !o.passed && !o.notJudged);
  const attrs = `name="${xml(d.name)}" classname="${xml(`golive.${suite}.${d.kind}`)}" time="${seconds(d.load.durationMs)}"`;
  let body = '';
  if (d.error !== undefined) {
    body = `\n      <error message="${xml(d.error)}" type="drill-error">${xml(d.error)}</error>\n    `;
  } else if (missed.length > 0) {
    const lines = missed.map((o) => `${o.name}: limit ${o.limit}, measured ${o.measured}${o.basis ? ` (${o.basis})` : ''}`);
    body = `\n      <failure message="${xml(`missed ${missed.length} objective(s): ${missed.map((o) => o.name).join(', ')}`)}" type="objectives">${xml(lines.join('\n'))}</failure>\n    `;
  }
  return `    <testcase ${attrs}>${body}</testcase>`;
}

export function renderJunit(run: RunResult): string {
  const suite = run.name;
  const failures = run.drills.filter((d) => d.error === undefined && !d.passed).length;
  const errors = run.drills.filter((d) => d.error !== undefined).length;
  const totalMs = Date.parse(run.finishedAt) - Date.parse(run.startedAt);
  const counts = `tests="${run.drills.length}" failures="${failures}" errors="${errors}" time="${seconds(totalMs)}"`;
  const summary = run.drills
    .map(
      (d) =>
        `${d.passed ? 'PASS' : 'FAIL'} ${d.name}: ${d.requests.total} requests, ${d.requests.failed} failed, downtime ${d.downtime.totalMs} ms, p99 ${d.latencyMs.p99} ms`,
    )
    .join('\n');
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="golive" ${counts}>`,
    `  <testsuite package="golive" id="0" name="${xml(suite)}" timestamp="${run.startedAt.slice(0, 19)}" hostname="${xml(hostname() || 'localhost')}" ${counts} skipped="0">`,
    '    <properties>',
    `      <property name="platform" value="${xml(run.platform.kind)}"/>`,
    ...(run.platform.context ? [`      <property name="context" value="${xml(run.platform.context)}"/>`] : []),
    ...(run.platform.namespace ? [`      <property name="namespace" value="${xml(run.platform.namespace)}"/>`] : []),
    `      <property name="golive.version" value="${xml(run.tool.version)}"/>`,
    '    </properties>',
    ...run.drills.map((d) => testcase(d, suite)),
    `    <system-out>${xml(summary)}</system-out>`,
    '    <system-err></system-err>',
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
