/**
 * Every file golive reads back is bad input when it is crafted, damaged or cut short: `golive report`,
 * `golive compare`, `golive recover` and `golive worker --plan` exit 2 with a message that names the file,
 * the line (NDJSON) and the field — never "Internal error" with a stack. Unknown fields are accepted.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { golive, tempDir, type CliResult } from '../helpers/cli.js';
import { drill, runResult, writeResultsFolder } from '../helpers/synthetic-results.js';
import { makeOwnedTempDir } from '../../src/safety/owned-temp-dir.js';

/** A results folder `run` under a new temp folder, with summary.json and a 10-second timeline. */
function folder(drills = [drill('capacity')]): { cwd: string; dir: string } {
  const cwd = tempDir();
  return { cwd, dir: writeResultsFolder(path.join(cwd, 'run'), runResult('run', drills), 10) };
}

function summaryOf(dir: string): Record<string, unknown> & { drills: Record<string, unknown>[] } {
  return JSON.parse(readFileSync(path.join(dir, 'summary.json'), 'utf8')) as Record<string, unknown> & { drills: Record<string, unknown>[] };
}

function assertBadInput(r: CliResult, ...messages: RegExp[]): void {
  assert.equal(r.code, 2, `exit 2 for bad input; stderr: ${r.stderr}`);
  assert.doesNotMatch(r.stderr, /Internal error|\n\s+at /, 'no internal error, no stack trace');
  for (const m of messages) assert.match(r.stderr, m);
}

test('golive report: a summary with a null drill, a drill without requests, a wrong type or cut short is bad input naming the field', async () => {
  const { cwd, dir } = folder();
  const file = path.join(dir, 'summary.json');
  const good = summaryOf(dir);

  writeFileSync(file, JSON.stringify({ ...good, drills: [null] }));
  assertBadInput(await golive(['report', 'run'], { cwd }), /summary\.json has a problem:/, /✖ drills\.0: expected an object, received null/);

  const { requests: _requests, ...withoutRequests } = good.drills[0]!;
  writeFileSync(file, JSON.stringify({ ...good, drills: [withoutRequests] }));
  assertBadInput(await golive(['report', 'run'], { cwd }), /✖ drills\.0\.requests: required: expected an object/);

  writeFileSync(file, JSON.stringify({ ...good, drills: [{ ...good.drills[0], latencyMs: { ...(good.drills[0]!['latencyMs'] as object), p99: 'slow' } }] }));
  assertBadInput(await golive(['report', 'run'], { cwd }), /✖ drills\.0\.latencyMs\.p99: expected a number, received "slow"/);

  writeFileSync(file, JSON.stringify({ ...good, drills: [{ ...good.drills[0], capacity: { kind: 'usage', samples: 'many' } }] }));
  assertBadInput(await golive(['report', 'run'], { cwd }), /✖ drills\.0\.capacity\.samples: expected a number, received "many"/);

  writeFileSync(file, JSON.stringify(good).slice(0, 200));
  assertBadInput(await golive(['report', 'run'], { cwd }), /summary\.json has a problem:\n {2}✖ not valid JSON \(cut short or damaged\?\)/);

  writeFileSync(
    file,
    JSON.stringify({ ...good, fromTheFuture: { x: 1 }, drills: [{ ...good.drills[0], newFigure: 42, capacity: { kind: 'region-outage', failoverMs: 800 } }] }),
  );
  const unknown = await golive(['report', 'run', '--junit'], { cwd });
  assert.equal(unknown.code, 0, `unknown fields are accepted: ${unknown.stderr}`);
});

test('golive report: a timeline with a null line or a wrong type names the line and the field; a line a crash cut short is left out, and said', async () => {
  const { cwd, dir } = folder();
  const file = path.join(dir, 'timeline.ndjson');
  const lines = readFileSync(file, 'utf8').trim().split('\n');

  writeFileSync(file, [...lines.slice(0, 2), 'null', ...lines.slice(2)].join('\n'));
  assertBadInput(await golive(['report', 'run'], { cwd }), /timeline\.ndjson has a problem:\n {2}✖ line 3: expected an object, received null/);

  const wrong = { ...(JSON.parse(lines[4]!) as Record<string, unknown>), requests: { total: 1, ok: 'many', failed: 0, dropped: 0 } };
  writeFileSync(file, [...lines.slice(0, 4), JSON.stringify(wrong), ...lines.slice(5)].join('\n'));
  assertBadInput(await golive(['report', 'run'], { cwd }), /✖ line 5, requests\.ok: expected a number, received "many"/);

  writeFileSync(file, `${lines.slice(0, 3).join('\n')}\n{"drill":`);
  const torn = await golive(['report', 'run'], { cwd });
  assert.equal(torn.code, 0, torn.stderr);
  assert.match(torn.stderr, /⚠ .*timeline\.ndjson: line 4 was cut short \(the run stopped while writing it\): left out/);

  writeFileSync(file, lines.map((l) => JSON.stringify({ ...(JSON.parse(l) as object), addedLater: [1, 2] })).join('\n'));
  assert.equal((await golive(['report', 'run'], { cwd })).code, 0, 'unknown fields are accepted');
});

test('golive report: a crafted histogram or bin is bad input, not a hang or an allocation', async () => {
  const { cwd, dir } = folder();
  const file = path.join(dir, 'timeline.ndjson');
  const line = JSON.parse(readFileSync(file, 'utf8').split('\n')[0]!) as Record<string, unknown>;
  writeFileSync(file, JSON.stringify({ ...line, latency: 's1:abc' }));
  assertBadInput(await golive(['report', 'run'], { cwd }), /✖ line 1, latency: not a histogram/);
  writeFileSync(file, JSON.stringify({ ...line, bins: [1e15, 1, 0] }));
  assertBadInput(await golive(['report', 'run'], { cwd }), /✖ line 1, bins: a bin beyond/);
});

test('golive report: durationMs 1e11 in a summary does not size what the report allocates', async () => {
  const { cwd, dir } = folder();
  const good = summaryOf(dir);
  writeFileSync(
    path.join(dir, 'summary.json'),
    JSON.stringify({ ...good, drills: [{ ...good.drills[0], load: { ...(good.drills[0]!['load'] as object), durationMs: 1e11 } }] }),
  );
  // A small heap: the report must fit in it whatever a file's numbers say.
  const r = await golive(['report', 'run', '--html'], { cwd, env: { NODE_OPTIONS: '--max-old-space-size=128' } });
  assert.equal(r.code, 0, r.stderr);
  const html = readFileSync(path.join(dir, 'report.html'), 'utf8');
  const data = JSON.parse(/<script id="golive-data" type="application\/json">(.*?)<\/script>/s.exec(html)![1]!) as {
    series: Record<string, { strip: { slotMs: number; ok: number[] } }>;
  };
  const strip = data.series['capacity']!.strip;
  assert.ok(strip.ok.length <= 36_000, `${strip.ok.length} strip slots`);
  assert.ok(strip.ok.length * strip.slotMs >= 1e11, 'the strip still spans the drill');
});

test('golive report on a run that did not finish: a bad events line, or a timeline golive cannot have written, is named', async () => {
  const { cwd, dir } = folder();
  const summary = path.join(dir, 'summary.json');
  writeFileSync(
    summary.replace('summary.json', 'events.ndjson'),
    '{"drill":"capacity","atMs":0,"kind":"phase","message":"baseline"}\n{"drill":"capacity","atMs":"soon","kind":"phase","message":"x"}\n',
  );
  const { rmSync } = await import('node:fs');
  rmSync(summary);
  assertBadInput(await golive(['report', 'run'], { cwd }), /events\.ndjson has a problem:\n {2}✖ line 2, atMs: expected a number, received "soon"/);
  writeFileSync(summary.replace('summary.json', 'events.ndjson'), '');
  const line = JSON.parse(readFileSync(path.join(dir, 'timeline.ndjson'), 'utf8').split('\n')[0]!) as Record<string, unknown>;
  writeFileSync(path.join(dir, 'timeline.ndjson'), `${JSON.stringify({ ...line, second: 0 })}\n${JSON.stringify({ ...line, second: 8_000_000 })}\n`);
  assertBadInput(await golive(['report', 'run'], { cwd }), /drill "capacity" has 2 line\(s\) but reaches second 8000000/);
  assert.equal(existsSync(path.join(dir, 'summary.partial.json')), false);
});

test('golive compare: a malformed summary is bad input; a drill missing from B (or A) fails the comparison', async () => {
  const cwd = tempDir();
  writeResultsFolder(path.join(cwd, 'a'), runResult('a', [drill('capacity'), drill('app-update')]));
  writeResultsFolder(path.join(cwd, 'b'), runResult('b', [drill('app-update')]));
  const missing = await golive(['compare', 'a', 'b'], { cwd });
  assert.equal(missing.code, 1, missing.stderr);
  assert.match(missing.stdout, /## golive compare: ❌ 1 drill\(s\) in only one run/);
  assert.match(missing.stdout, /- ❌ capacity ran in A only, not in B: nothing to compare it with \(a missing drill fails the comparison\)/);
  const reverse = await golive(['compare', 'b', 'a'], { cwd });
  assert.equal(reverse.code, 1);
  assert.match(reverse.stdout, /❌ capacity ran in B only, not in A/);

  const bad = summaryOf(path.join(cwd, 'b'));
  writeFileSync(path.join(cwd, 'b', 'summary.json'), JSON.stringify({ ...bad, drills: [{ ...bad.drills[0], requests: null }] }));
  assertBadInput(
    await golive(['compare', 'a', 'b'], { cwd }),
    /b\/summary\.json has a problem:\n {2}✖ drills\.0\.requests: expected an object, received null/,
  );
});

test('golive compare: names from the files reach the terminal and the Markdown inert (no escape sequences, no HTML)', async () => {
  const cwd = tempDir();
  const name = 'evil\u001b]0;pwned\u0007\u001b[2J<img src=x onerror=alert(1)>|`x`';
  writeResultsFolder(path.join(cwd, 'a'), runResult(`a${name}`, [drill(name)]));
  writeResultsFolder(path.join(cwd, 'b'), runResult('b', [drill(name, { downtime: { totalMs: 900, longestMs: 900, degradedMs: 0, windows: [] } })]));
  const r = await golive(['compare', 'a', 'b', '--markdown', 'cmp.md'], { cwd });
  assert.equal(r.code, 1, r.stderr);
  // eslint-disable-next-line no-control-regex
  assert.doesNotMatch(r.stdout, /[\u0000-\u0008\u000b-\u001f\u007f]/, 'no control character reaches the terminal');
  assert.doesNotMatch(r.stdout, /<img/);
  assert.match(r.stdout, /\| evil\\\\x1b\\\]0;pwned\\\\x07\\\\x1b\\\[2J&lt;img src=x onerror=alert\(1\)&gt;\\\|\\`x\\` \| downtime \|/);
  assert.equal(readFileSync(path.join(cwd, 'cmp.md'), 'utf8'), r.stdout);
});

test('golive recover: a crafted or cut-short journal is refused, naming the field, and nothing in it is done', async () => {
  const cwd = tempDir();
  const runDir = path.join(cwd, 'golive-results', '2026-12-01T00-00-00Z-crafted');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(runDir, { recursive: true });
  const ours = makeOwnedTempDir('journal-test', path.basename(runDir));
  const entry = (id: number, action: unknown) => ({ id, at: '', change: `change ${id}`, undo: 'by hand', action, undone: false });
  const journal = (entries: unknown[]) => writeFileSync(path.join(runDir, 'journal.json'), JSON.stringify({ version: 1, pid: 999_999_999, entries }));
  try {
    // The folder is the run's own and would be deleted; the second entry's process group is a string.
    journal([entry(1, { kind: 'temp-dir', path: ours }), entry(2, { kind: 'process-group', pgid: '1', command: 'x' })]);
    const r = await golive(['recover', runDir], { cwd });
    assertBadInput(r, /journal\.json has a problem:/, /✖ entries\.1\.action\.pgid: expected a number, received "1"/);
    assert.ok(existsSync(ours), 'nothing in a refused journal is acted on');

    journal([entry(1, { kind: 'temp-dir', path: ours }), entry(2, { kind: 'process-group', pgid: 1, command: 'x' })]);
    assertBadInput(await golive(['recover', runDir], { cwd }), /✖ entries\.1\.action\.pgid: expected 0 or a process group id above 1/);

    writeFileSync(
      path.join(runDir, 'journal.json'),
      JSON.stringify({ version: 1, pid: 999_999_999, entries: [entry(1, { kind: 'temp-dir', path: ours })] }).slice(0, 60),
    );
    assertBadInput(await golive(['recover', runDir], { cwd }), /✖ not valid JSON \(cut short or damaged\?\)/);
    assert.ok(existsSync(ours));

    // Without a folder, every run is looked at: a refused journal is said and the others still recovered.
    const all = await golive(['recover'], { cwd });
    assert.equal(all.code, 3, all.stderr);
    assert.match(all.stderr, /✗ refused, nothing in it was undone: .*journal\.json has a problem: ✖ not valid JSON/);

    journal([entry(1, { kind: 'temp-dir', path: ours, addedLater: true })]);
    const ok = await golive(['recover', runDir], { cwd });
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(existsSync(ours), false, 'a valid journal (with unknown fields) is acted on');
    const rewritten = JSON.parse(readFileSync(path.join(runDir, 'journal.json'), 'utf8')) as {
      entries: { undone: boolean; action: { addedLater?: boolean } }[];
    };
    assert.deepEqual(
      rewritten.entries.map((e) => [e.undone, e.action.addedLater]),
      [[true, true]],
      'unknown fields are kept',
    );
  } finally {
    const { rmSync } = await import('node:fs');
    rmSync(ours, { recursive: true, force: true });
  }
});

test('golive worker --plan: a plan file of the wrong shape is bad input naming the field', async () => {
  const cwd = tempDir();
  writeFileSync(path.join(cwd, 'plan.json'), JSON.stringify({ plan: { target: { origin: 'http://127.0.0.1:9' } }, count: 1, startAtEpochMs: 0 }));
  assertBadInput(await golive(['worker', '--plan', 'plan.json'], { cwd }), /plan\.json has 9 problems:/, /✖ plan\.model: required: expected an object/);
  writeFileSync(path.join(cwd, 'plan.json'), '{"plan":');
  assertBadInput(await golive(['worker', '--plan', 'plan.json'], { cwd }), /✖ not valid JSON/);
});
