// How long the HTML report of a one-hour run takes to open in headless Chromium: 6 drills × 3,600 seconds
// (3,600 points per series), with outage windows and events; the median of 3 opens, each in a fresh page,
// from navigation to the page's "rendered" mark (every table built, every chart drawn).
import { statSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { writeReports } from '../dist/report/write-reports.js';
import { readResults } from '../dist/results/results-reader.js';
import { drill, runResult, writeResultsFolder } from '../.build/test/helpers/synthetic-results.js';
import { benchTempDir, median } from './lib.js';

export async function reportOpenBench({ reps = 3 } = {}) {
  const names = ['capacity', 'app-update', 'zone-outage', 'node-drain', 'disaster-recovery', 'redeploy'];
  const drills = names.map((n, i) =>
    drill(n, {
      passed: i % 2 === 0,
      load: {
        model: 'open',
        executor: 'constant-arrival-rate',
        targetRps: 200,
        durationMs: 3_600_000,
        connections: 50,
        threads: 2,
        workers: { kind: 'threads', count: 2 },
      },
      downtime: {
        totalMs: 5000,
        longestMs: 1000,
        degradedMs: 2000,
        windows: Array.from({ length: 40 }, (_, k) => ({ startMs: k * 90_000, endMs: k * 90_000 + 500, failed: 100, outcomes: { http_503: 100 }, events: [] })),
      },
      events: Array.from({ length: 300 }, (_, k) => ({
        atMs: k * 12_000,
        kind: k % 2 ? 'replica.ready' : 'replica.terminating',
        subject: `app-${k}`,
        message: 'event',
      })),
    }),
  );
  const dir = writeResultsFolder(benchTempDir('golive-bench-report-'), runResult('one-hour', drills), 3600);
  const { html } = writeReports(readResults(dir), ['html']);
  const sizeMb = statSync(html).size / 1e6;
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  const times = [];
  try {
    for (let i = 0; i < reps; i++) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const t0 = Date.now();
      await page.goto(`file://${html}`);
      await page.waitForSelector('body[data-rendered=true]', { timeout: 60_000 });
      times.push(Date.now() - t0);
      await page.close();
    }
  } finally {
    await browser.close();
  }
  return { sizeMb, times, medianMs: median(times) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await reportOpenBench();
  console.log(`one-hour report (6 drills × 3,600 s): ${r.sizeMb.toFixed(1)} MB, opens in ${r.medianMs} ms (median of ${r.times.join(', ')} ms)`);
}
