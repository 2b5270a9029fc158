import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { golive, tempDir } from '../helpers/cli.js';
import { drill, runResult, writeResultsFolder } from '../helpers/synthetic-results.js';
import { renderReport } from '../helpers/browser.js';

test('golive report regenerates HTML, JUnit and Markdown from a results folder', async () => {
  const cwd = tempDir();
  const dir = writeResultsFolder(path.join(cwd, 'run-a'), runResult('a', [drill('capacity'), drill('app-update', { passed: false })]), 120);
  const r = await golive(['report', 'run-a', '--junit', '--markdown', '--out', 'out'], { cwd });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'wrote out/junit.xml\nwrote out/summary.md\n');
  assert.match(readFileSync(path.join(cwd, 'out', 'junit.xml'), 'utf8'), /<testsuites name="golive" tests="2" failures="1" errors="0"/);
  const all = await golive(['report', 'run-a'], { cwd });
  assert.equal(all.code, 0);
  assert.ok(['report.html', 'junit.xml', 'summary.md'].every((f) => existsSync(path.join(dir, f))));
  const seen = await renderReport(path.join(dir, 'report.html'), 'synthetic-report.png');
  assert.deepEqual(seen.consoleErrors, []);
  assert.deepEqual(seen.verdictRows, [
    { drill: 'capacity', result: 'passed' },
    { drill: 'app-update', result: 'failed' },
  ]);
  assert.equal(seen.canvases.length, 6, 'a downtime strip, throughput and latency per drill');
  for (const l of seen.legends) assert.doesNotMatch(l, /--/, `a legend shows values: ${l}`);
  const bad = await golive(['report', cwd], { cwd });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /is not a golive results folder \(no summary\.json\)/);
});

test('golive compare flags a regression (exit 1) and writes HTML and Markdown', async () => {
  const cwd = tempDir();
  writeResultsFolder(path.join(cwd, 'a'), runResult('a', [drill('app-update')]));
  writeResultsFolder(path.join(cwd, 'b'), runResult('b', [drill('app-update', { downtime: { totalMs: 1200, longestMs: 1200, degradedMs: 0, windows: [] } })]));
  const r = await golive(['compare', 'a', 'b', '--html', 'cmp.html', '--markdown', 'cmp.md'], { cwd });
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stdout, /❌ 1 regression\(s\)/);
  assert.match(r.stdout, /\| app-update \| downtime \| 0 ms \| 1200 ms \| \+1200 ms \| ❌ regression \|/);
  assert.equal(readFileSync(path.join(cwd, 'cmp.md'), 'utf8'), r.stdout);
  const same = await golive(['compare', 'a', 'a'], { cwd });
  assert.equal(same.code, 0);
  const loose = await golive(['compare', 'a', 'b', '--tolerance', 'downtimeMs=2000'], { cwd });
  assert.equal(loose.code, 0, 'within a looser tolerance');
  const badTolerance = await golive(['compare', 'a', 'b', '--tolerance', 'speed=1'], { cwd });
  assert.equal(badTolerance.code, 2);
  assert.ok(readFileSync(path.join(cwd, 'cmp.html'), 'utf8').includes('"regressions":1'));
});
