import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { renderJunit } from '../../../src/report/junit-report.js';
import { renderMarkdown } from '../../../src/report/markdown-report.js';
import { compareRuns, parseTolerances, renderComparisonMarkdown } from '../../../src/report/compare.js';
import { drill, runResult } from '../../helpers/synthetic-results.js';
import { judgeSeries, parseSeriesObjective, type SeriesObjective } from '../../../src/analysis/series.js';
import { createTerminalReporter } from '../../../src/report/terminal-reporter.js';
import { redactUrl } from '../../../src/model/format.js';
import { tempDir } from '../../helpers/temp-dir.js';

const XSD = path.resolve(import.meta.dirname, '../../../../test/fixtures/junit.xsd');

const failing = drill('app-update', {
  passed: false,
  requests: { total: 1000, ok: 963, failed: 37, dropped: 0, byOutcome: { ok: 963, http_503: 37 } },
  downtime: {
    totalMs: 180,
    longestMs: 180,
    degradedMs: 100,
    windows: [
      {
        startMs: 3000,
        endMs: 3180,
        failed: 36,
        outcomes: { http_503: 36 },
        events: [{ atMs: 3000, kind: 'rollout.started', message: 'revision 2 (Recreate) <&> "x"' }],
      },
    ],
  },
  objectives: [
    { name: 'downtime', limit: '≤ 0s', measured: '180ms', passed: false, basis: '1 outage window(s), 1000 requests' },
    { name: 'failed requests', limit: '≤ 0', measured: '37', passed: false },
    { name: 'p(95)<300', limit: 'p(95)<300', measured: 'p(95)=2ms', passed: true },
  ],
});
const errored = drill('redeploy', { passed: false, error: 'the smoke test did not pass within 60000 ms <of> the reset', objectives: [] });
const run = runResult('demo-naive', [drill('capacity'), failing, errored]);

test('JUnit: one suite, one case per drill, every missed objective with limit and measured value; valid against the XSD', () => {
  const xml = renderJunit(run);
  assert.match(xml, /<testsuites name="golive" tests="3" failures="1" errors="1" time="300\.000">/);
  assert.match(xml, /<testcase name="capacity" classname="golive\.demo-naive\.capacity" time="60\.000"><\/testcase>/);
  assert.match(
    xml,
    /<failure message="missed 2 objective\(s\): downtime, failed requests" type="objectives">downtime: limit ≤ 0s, measured 180ms \(1 outage window\(s\), 1000 requests\)\nfailed requests: limit ≤ 0, measured 37<\/failure>/,
  );
  assert.match(xml, /<error message="the smoke test did not pass within 60000 ms &lt;of&gt; the reset" type="drill-error">/);
  const dir = tempDir('golive-junit-');
  writeFileSync(path.join(dir, 'junit.xml'), xml);
  // xmllint (Debian libxml2-utils) validates against the schema; it exits non-zero and names the problem otherwise.
  const out = execFileSync('xmllint', ['--noout', '--schema', XSD, path.join(dir, 'junit.xml')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  assert.equal(out, '');
});

test('JUnit: the schema check can fail (a case without its time is rejected)', () => {
  const dir = tempDir('golive-junit-');
  writeFileSync(path.join(dir, 'bad.xml'), renderJunit(run).replace(' time="60.000"', ''));
  assert.throws(() => execFileSync('xmllint', ['--noout', '--schema', XSD, path.join(dir, 'bad.xml')], { stdio: 'pipe' }), /Command failed/);
});

test('Markdown summary (snapshot)', () => {
  const expected = readFileSync(path.resolve(import.meta.dirname, '../../../../test/fixtures/summary.md'), 'utf8');
  assert.equal(renderMarkdown(run, 'golive-results/x/report.html'), expected);
});

test('compare: a known regression is flagged, noise within tolerance is not', () => {
  const a = runResult('a', [drill('app-update'), drill('capacity')]);
  const b = runResult('b', [
    drill('app-update', {
      passed: false,
      requests: { total: 12_000, ok: 11_990, failed: 10, dropped: 0, byOutcome: {} },
      downtime: { totalMs: 450, longestMs: 450, degradedMs: 0, windows: [] },
    }),
    drill('capacity', { latencyMs: { avg: 12.5, min: 1, p50: 10.4, p90: 21, p95: 26, p99: 60, p999: 80, max: 120 } }),
  ]);
  const c = compareRuns(a, b);
  const flagged = c.rows.filter((r) => r.regression).map((r) => `${r.drill} ${r.figure}`);
  // 10 failures in 12,000 is +0.08 percentage points: within the default 0.1 tolerance for the error rate.
  assert.deepEqual(flagged, ['app-update passed', 'app-update failed requests', 'app-update downtime', 'capacity latency p99']);
  assert.equal(c.regressions, 4);
  const md = renderComparisonMarkdown(c);
  assert.match(md, /\| capacity \| latency p99 \| 40 ms \| 60 ms \| \+20 ms \| ❌ regression \|/);
  assert.match(md, /\| capacity \| latency p50 \| 10 ms \| 10\.4 ms \| \+0\.4 ms \| {2}\|/);
  assert.deepEqual(parseTolerances('latency=60%,downtimeMs=500'), { ...(parseTolerances(undefined) as object), latency: 0.6, downtimeMs: 500 });
  assert.match(parseTolerances('speed=3') as string, /expected name=value pairs/);
  // The names and units the error's own example shows.
  const defaults = parseTolerances(undefined) as object;
  assert.deepEqual(parseTolerances('latency=20%,downtime=100ms'), { ...defaults, latency: 0.2, downtimeMs: 100 });
  assert.deepEqual(parseTolerances('downtime=1.5s, errorRate=0.5%, failedRequests=3, throughput=0.1'), {
    ...defaults,
    downtimeMs: 1500,
    errorRate: 0.005,
    failedRequests: 3,
    throughput: 0.1,
  });
  assert.match(parseTolerances('downtime=20%') as string, /^downtime: expected 100ms or 1s, received "downtime=20%"$/);
  assert.match(parseTolerances('failedRequests=2.5') as string, /^failedRequests: expected a count like 3/);
});

test('reports are inert: hostile event, hook and error text can neither run HTML nor drive a terminal', async () => {
  const hostile = '<img src=x onerror=alert(1)> [click](javascript:alert(1)) `code` | cell \x1b]0;pwned\x07\x1b[2J';
  const d = drill('custom', {
    passed: false,
    error: `hook failed: ${hostile}`,
    downtime: {
      totalMs: 100,
      longestMs: 100,
      degradedMs: 0,
      windows: [
        { startMs: 0, endMs: 100, failed: 2, outcomes: { http_503: 2 }, events: [{ atMs: 0, kind: 'hook.output', subject: hostile, message: hostile }] },
      ],
    },
    findings: [{ id: 'GL001', severity: 'error', message: hostile }],
  });
  const md = renderMarkdown(runResult(hostile, [d]));
  assert.doesNotMatch(md, /<img|<\/?[a-z]/i, 'no HTML survives');
  assert.doesNotMatch(md, /[^\\]\]\(javascript/, 'no link can be opened');
  assert.match(md, /&lt;img src=x onerror=alert\(1\)&gt; \\\[click\\\]\(javascript:alert\(1\)\) \\`code\\` \\\| cell/);
  let out = '';
  const terminal = createTerminalReporter({
    stream: { write: (s: string) => ((out += s), true), isTTY: false } as unknown as NodeJS.WritableStream,
    color: false,
  });
  const info = { name: d.name, kind: d.kind, load: d.load };
  terminal.onEvent?.(info, { atMs: 0, kind: 'hook.output', message: hostile });
  await terminal.onDrillEnd?.(info, d);
  assert.ok(!out.includes('\x1b') && !out.includes('\x07'), 'no escape sequence reaches the terminal');
  assert.match(out, /\\x1b\]0;pwned\\x07\\x1b\[2J/, 'they are shown, inert');
});

test('Prometheus labels in an objective line, and every field of summary.md, reach the terminal and the Markdown inert', async () => {
  const label = 'web\x1b]0;pwned\x07\x1b[31m\r';
  const objective = judgeSeries(
    { name: 'errors\x1b[2J', query: 'x', source: 'prometheus', series: [{ labels: { pod: label }, t: [0], v: [1] }], drill: null, disruption: null },
    parseSeriesObjective('max<0.5') as SeriesObjective,
  );
  const d = drill('app-update', { passed: false, objectives: [objective], findings: [{ id: 'GL001', severity: 'warning', message: 'fix\x1b[2J' }] });
  const md = renderMarkdown(runResult('run\x1b]0;x\x07', [d]));
  // eslint-disable-next-line no-control-regex
  assert.doesNotMatch(md, /[\u0000-\u0008\u000b-\u001f\u007f]/, 'no control character in summary.md');
  assert.match(md, /errors\\\\x1b\\\[2J max: max=1 \{pod="web\\\\u001b\\\]0;pwned\\\\u0007\\\\u001b\\\[31m\\\\r"\} \(limit max&lt;0\.5\)/);
  let out = '';
  const terminal = createTerminalReporter({
    stream: { write: (s: string) => ((out += s), true), isTTY: false } as unknown as NodeJS.WritableStream,
    color: false,
  });
  await terminal.onDrillEnd?.({ name: d.name, kind: d.kind, load: d.load }, d);
  await terminal.onRunEnd?.(runResult('run', [d]));
  // eslint-disable-next-line no-control-regex
  assert.doesNotMatch(out, /[\u0000-\u0008\u000b-\u001f\u007f]/, 'no control character reaches the terminal');
  assert.match(out, /✗ errors\\x1b\[2J max +limit max<0\.5 +measured max=1 \{pod="web\\u001b\]0;pwned\\u0007\\u001b\[31m\\r"\}/);
});

test("a drill driven by the team's own tool names the tool, not golive's worker processes", async () => {
  const base = drill('capacity');
  const external = {
    ...base,
    load: {
      ...base.load,
      model: 'closed' as const,
      workers: { kind: 'processes' as const, count: 1 },
      generator: { kind: 'locust' as const, note: 'a closed model' },
    },
  };
  let out = '';
  const terminal = createTerminalReporter({
    stream: { write: (s: string) => ((out += s), true), isTTY: false } as unknown as NodeJS.WritableStream,
    color: false,
  });
  await terminal.onDrillEnd?.({ name: external.name, kind: external.kind, load: external.load }, external);
  assert.doesNotMatch(out, /workers +1 processes/);
  const own = {
    ...base,
    load: { ...base.load, workers: { kind: 'processes' as const, count: 2 } },
    generator: { ...base.generator, startOffsetsMs: [0.1, 0.2] },
  };
  out = '';
  await terminal.onDrillEnd?.({ name: own.name, kind: own.kind, load: own.load }, own);
  assert.match(out, /workers +2 processes, started after time zero by 0\.1ms, 0\.2ms/);
});

test('a URL with credentials is shown with its password hidden', () => {
  assert.equal(redactUrl('https://alice:s3cret@shop.example.com/x?y=1'), 'https://alice:***@shop.example.com/x?y=1');
  assert.equal(redactUrl('http://tokenonly@h:8080/'), 'http://***@h:8080/');
  assert.equal(redactUrl('http://h/a@b'), 'http://h/a@b');
});
