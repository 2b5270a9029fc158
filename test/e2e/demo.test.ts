import assert from 'node:assert/strict';
import type { DisasterRecoveryDetails } from '../../src/drills/disaster-recovery.js';
import { isUsageDetails } from '../../src/model/result.js';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import type { DrillResult, RunResult } from '../../src/model/result.js';
import { golive, tempDir } from '../helpers/cli.js';
import { renderReport } from '../helpers/browser.js';

function summaryOf(cwd: string): RunResult {
  const root = path.join(cwd, 'golive-results');
  const dir = readdirSync(root).sort().pop()!;
  return JSON.parse(readFileSync(path.join(root, dir, 'summary.json'), 'utf8')) as RunResult;
}

const drill = (r: RunResult, name: string): DrillResult => r.drills.find((d) => d.name === name)!;

describe('golive demo (the README main command)', () => {
  test('all six drills pass on the well-built demo: exit 0', async () => {
    const cwd = tempDir();
    const r = await golive(['demo'], { cwd });
    assert.equal(r.code, 0, r.stdout.slice(-3000) + r.stderr);
    const s = summaryOf(cwd);
    assert.deepEqual(
      s.drills.map((d) => d.name),
      ['capacity', 'app-update', 'zone-outage', 'node-drain', 'disaster-recovery', 'redeploy'],
    );
    assert.equal(s.passed, true);
    assert.equal(s.platform.kind, 'local');
    for (const name of ['app-update', 'node-drain']) {
      assert.equal(drill(s, name).requests.failed, 0, name);
      assert.equal(drill(s, name).downtime.totalMs, 0, name);
    }
    const dr = drill(s, 'disaster-recovery');
    assert.ok(dr.recovery!.ackedWrites > 0 && dr.recovery!.lostWrites > 0 && dr.recovery!.pointMs! > 0 && dr.recovery!.timeMs! > 0);
    const backup = dr.capacity as DisasterRecoveryDetails;
    assert.equal(backup.kind, 'disaster-recovery');
    assert.ok(
      dr.recovery!.lostWrites >= backup.ackedAfterBackup && dr.recovery!.lostWrites <= backup.ackedAfterBackup + backup.ackedDuringBackup,
      JSON.stringify({ lost: dr.recovery!.lostWrites, ...backup, canary: undefined }),
    );
    assert.ok(drill(s, 'redeploy').setupMs! > 0);
    assert.match(r.stdout, /all drills passed/);
  });

  test('--naive: app-update, node-drain and zone-outage fail with outage windows that hold the replica events: exit 1', async () => {
    const cwd = tempDir();
    const r = await golive(['demo', '--naive'], { cwd });
    assert.equal(r.code, 1, r.stdout.slice(-3000) + r.stderr);
    const s = summaryOf(cwd);
    for (const name of ['app-update', 'node-drain', 'zone-outage']) {
      const d = drill(s, name);
      assert.equal(d.passed, false, name);
      assert.ok(d.downtime.totalMs > 0, `${name} downtime`);
      assert.ok(
        d.downtime.windows.some((w) => w.events.length > 0),
        `${name}: a window lists the events inside it`,
      );
    }
    assert.match(r.stdout, /✗ app-update +missed: downtime/);
    // Each failure explained by the audit of the naive config, under the drill in the terminal.
    assert.match(
      r.stdout,
      /why GL003: explains outage window 3\.\d–3\.\d s: LocalApp local\/api: strategy Recreate stops every pod before starting the new ones/,
    );
    // The drained node ran every component of the naive shop: each one's findings explain the window.
    assert.deepEqual(
      drill(s, 'node-drain')
        .findings.filter((f) => f.id.startsWith('GL'))
        .map((f) => `${f.id} ${/LocalApp local\/(\w+)/.exec(f.message)?.[1]}`),
      ['GL001 front', 'GL008 front', 'GL001 api', 'GL008 api', 'GL001 store', 'GL008 store'],
    );
    // The one-replica store pinned to zone-a is why losing that zone took the shop down.
    assert.ok(drill(s, 'zone-outage').findings.some((f) => f.id === 'GL023' && /store runs one replica that can run only in zone-a/.test(f.message)));

    // The HTML report of this run, rendered as a browser would.
    const root = path.join(cwd, 'golive-results');
    const report = path.join(root, readdirSync(root).sort().pop()!, 'report.html');
    const seen = await renderReport(report, 'demo-naive-report.png');
    assert.deepEqual(seen.consoleErrors, []);
    assert.deepEqual(seen.requests, [], 'the report loads nothing from the network');
    const usageCharts = s.drills.filter((d) => isUsageDetails(d.capacity) && d.capacity.series?.length).length;
    assert.equal(usageCharts, 1, 'the capacity drill measured usage');
    assert.equal(
      seen.canvases.length,
      s.drills.length * 3 + 1 + usageCharts,
      'downtime strip, throughput and latency per drill, the canary chart and the usage chart',
    );
    for (const l of seen.legends) assert.doesNotMatch(l, /--/, `a legend shows values: ${l}`);
    // The strip's red region is each outage window, to 2 % of the axis (a strip slot is 100 ms).
    for (const d of s.drills.filter((x) => !x.passed && x.downtime.windows.length)) {
      const strip = seen.strips.find((x) => x.drill === d.name);
      assert.ok(strip, `${d.name} has a downtime strip`);
      const tolerance = 0.02 * (strip.xMax - strip.xMin);
      for (const w of d.downtime.windows) {
        const [from, to] = [w.startMs / 1000, w.endMs / 1000];
        const run = strip.redRuns.find(([a, b]) => a < to + tolerance && b > from - tolerance);
        assert.ok(run, `${d.name}: window ${from}–${to} s is red on the strip (runs ${JSON.stringify(strip.redRuns)})`);
        assert.ok(Math.abs(run[0] - from) <= tolerance && Math.abs(run[1] - to) <= tolerance, `${d.name}: red ${run.join('–')} s vs window ${from}–${to} s`);
      }
    }
    const [z0, z1] = seen.zoom.zoomed;
    const [i0, i1] = seen.zoom.initial;
    assert.ok(z0 > i0 && z1 < i1 && z1 - z0 < (i1 - i0) / 2, `a drag on the throughput chart zoomed the strip too: ${JSON.stringify(seen.zoom)}`);
    assert.deepEqual(seen.zoom.reset, seen.zoom.initial, 'reset zoom shows the whole drill again');
    assert.deepEqual(seen.zoom.doubleClicked, seen.zoom.initial, 'so does a double click');
    for (const c of seen.canvases) assert.ok(c.coloredPixels > 500, `a drawn chart (${c.coloredPixels} coloured pixels)`);
    assert.deepEqual(
      seen.verdictRows,
      s.drills.map((d) => ({ drill: d.name, result: d.passed ? 'passed' : 'failed' })),
    );
    assert.equal(seen.runVerdict, s.passed ? 'ready' : 'not ready');
  });
});
