import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createDemoWorkspace, localConfig, type DemoWorkspace } from '../helpers/local-app.js';
import { freePort } from '../helpers/free-port.js';
import { startPrometheus, type TestPrometheus } from '../helpers/prometheus.js';
import { renderReport } from '../helpers/browser.js';
import { run } from '../../src/run/run.js';
import type { GoliveConfigInput } from '../../src/config/schema.js';

const STEP_MS = 250;

describe('observe.prometheus against a real Prometheus (Debian 2.42) scraping the demo app', () => {
  let prom: TestPrometheus;
  let ws: DemoWorkspace;
  let port: number;
  before(async () => {
    port = await freePort();
    prom = await startPrometheus([`127.0.0.1:${port}`]);
    await prom.scraping(`127.0.0.1:${port}`);
    ws = createDemoWorkspace();
  });
  after(async () => {
    await prom?.close();
    ws?.remove();
  });

  type Queries = NonNullable<NonNullable<GoliveConfigInput['observe']>['prometheus']>['queries'];
  function config(queries: Queries, url = prom.url, live?: string): GoliveConfigInput {
    const base = localConfig(
      ws.dir,
      {
        gauge: {
          kind: 'custom',
          baseline: '3s',
          tail: '2s',
          // The test moves the app's gauge through the Service; the hook prints once the app answered.
          actions: [
            { run: `node -e "fetch('http://127.0.0.1:${port}/test-gauge',{method:'PUT',body:'5'}).then(r=>r.text()).then(t=>console.log('gauge set',t))"` },
            { sleep: '3s' },
          ],
        },
      },
      { replicas: 1 },
    );
    return {
      ...base,
      load: { ...base.load, rate: 50 },
      platform: { ...(base.platform as object), port } as GoliveConfigInput['platform'],
      observe: { prometheus: { url, step: `${STEP_MS}ms`, queries, live, components: [{ name: 'logging', selector: '{namespace="logging"}' }] } },
      output: { dir: path.join(ws.dir, 'results') },
    };
  }

  test("a series read after the drill is on the drill's clock, and its objective joins the verdict", async () => {
    const live: { second: number; platform: string | undefined }[] = [];
    const outcome = await run({
      cwd: ws.dir,
      config: config(
        [
          { name: 'test gauge', query: 'demo_test_gauge', objective: 'max<3' },
          { name: 'in flight', query: 'sum(demo_in_flight)', unit: 'requests', objective: 'max<1000' },
          { name: 'scrapes', query: 'up{job="app"}', objective: 'last==1' },
        ],
        prom.url,
        'test gauge',
      ),
      reporters: [{ onSecond: (_d, s) => live.push({ second: s.second, platform: s.platform }) }],
    });
    // Asked for, the gauge is also read live, for the progress line: 0 in the baseline, 5 once set.
    assert.ok(
      live.some((l) => l.second <= 2 && l.platform === 'test gauge 0'),
      JSON.stringify(live),
    );
    assert.ok(
      live.some((l) => l.second >= 5 && l.platform === 'test gauge 5'),
      JSON.stringify(live),
    );
    const d = outcome.result.drills[0]!;
    assert.equal(d.error, undefined, JSON.stringify(d.events));
    const gauge = d.observed!.find((q) => q.name === 'test gauge')!;
    assert.equal(gauge.error, undefined);
    assert.equal(gauge.series.length, 1);
    assert.equal(gauge.series[0]!.labels['replica']?.startsWith('app-'), true, JSON.stringify(gauge.series[0]!.labels));
    // The rise is where the test made it: after the hook started, within a scrape and a step of its answer.
    const started = d.events.find((e) => e.kind === 'action.run')!.atMs;
    const answered = d.events.find((e) => e.kind === 'hook.output' && e.message.startsWith('gauge set'))!.atMs;
    const s = gauge.series[0]!;
    const firstHigh = s.t[s.v.findIndex((v) => v === 5)]!;
    const lastLow = s.t[s.v.lastIndexOf(0)]!;
    assert.ok(
      firstHigh >= started && firstHigh <= answered + prom.scrapeIntervalMs + STEP_MS,
      `gauge at 5 from ${firstHigh} ms; PUT between ${started} and ${answered} ms`,
    );
    assert.ok(lastLow < firstHigh && lastLow >= started - prom.scrapeIntervalMs - STEP_MS, `still 0 at ${lastLow} ms, before the PUT`);
    assert.deepEqual(gauge.drill && [gauge.drill.min, gauge.drill.max], [0, 5]);
    // Judged: the gauge objective fails with its figure, the others pass.
    const byName = Object.fromEntries(d.objectives.map((o) => [o.name, o]));
    assert.equal(byName['test gauge max']?.passed, false);
    assert.match(byName['test gauge max'].measured, /^max=5 \{.*replica="app-/);
    assert.equal(byName['in flight max']?.passed, true);
    assert.equal(byName['scrapes last']?.passed, true);
    assert.equal(d.passed, false, 'a failed platform objective fails the drill');
    // A component's queries parse on the real server; without cAdvisor and kube-state-metrics here they are not available.
    const logging = d.observed!.filter((q) => q.name.startsWith('logging '));
    assert.deepEqual(
      logging.map((q) => q.name),
      ['logging CPU of limit', 'logging memory of limit', 'logging restarts', 'logging CPU throttled'],
    );
    for (const q of logging) assert.match(q.error ?? '', /^not available: no data/);
    assert.equal(
      d.objectives.some((o) => o.name.startsWith('logging')),
      false,
      'a component without an objective is shown, not judged',
    );
    const html = path.join(outcome.resultsDir, 'report.html');
    const seen = await renderReport(html);
    assert.deepEqual(seen.consoleErrors, []);
    assert.equal(seen.canvases.length, 3 + 3, 'strip, throughput, latency, and one chart per query');
  });

  test('bad PromQL and an unreachable Prometheus stop the run before anything starts, in Prometheus’s words', async () => {
    const results = path.join(ws.dir, 'results');
    const before = existsSync(results) ? readdirSync(results).length : 0;
    await assert.rejects(
      run({ cwd: ws.dir, config: config([{ name: 'broken', query: 'sum(demo_in_flight' }]) }),
      /observe\.prometheus\.queries\[0\]\.query \(broken\): Prometheus rejected it: .*unclosed left parenthesis.* \(bad_data\)/,
    );
    const closed = await freePort();
    await assert.rejects(
      run({ cwd: ws.dir, config: config([{ name: 'x', query: 'up' }], `http://127.0.0.1:${closed}`) }),
      new RegExp(`observe\\.prometheus\\.url http://127\\.0\\.0\\.1:${closed}: .*ECONNREFUSED.*before any drill`),
    );
    assert.equal(existsSync(results) ? readdirSync(results).length : 0, before, 'no results folder, nothing started');
  });
});
