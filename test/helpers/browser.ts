/** Opens an HTML report in Debian's headless Chromium (playwright-core drives it) and reports what it saw. */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const ARTIFACTS = path.resolve(import.meta.dirname, '../../../test-artifacts');

export interface RenderedReport {
  openMs: number;
  consoleErrors: string[];
  /** Requests for anything but the report file itself. */
  requests: string[];
  canvases: { width: number; height: number; coloredPixels: number }[];
  verdictRows: { drill: string; result: string }[];
  runVerdict: string;
  /** Every chart legend's text as shown with the cursor outside the charts. */
  legends: string[];
  /** Per drill, the downtime strip as drawn: where its plot is, and the red runs read off its pixels (s). */
  strips: { drill: string; xMin: number; xMax: number; redRuns: [number, number][] }[];
  /** The first drill's strip x range: at first, after a drag across a quarter of its throughput chart, after "reset zoom", after a drag and a double click. */
  zoom: { initial: [number, number]; zoomed: [number, number]; reset: [number, number]; doubleClicked: [number, number] };
  /** The journeys table's rows as shown (journey rows, then their steps), every drill. */
  journeyRows: string[][];
}

async function dragToZoom(page: Page): Promise<RenderedReport['zoom']> {
  const section = page.locator('section.drill').first();
  const strip = section.locator('.chart.strip');
  const range = async (): Promise<[number, number]> => [Number(await strip.getAttribute('data-x-min')), Number(await strip.getAttribute('data-x-max'))];
  const initial = await range();
  const over = section.locator('.chart.throughput .u-over');
  await over.scrollIntoViewIfNeeded();
  const box = (await over.boundingBox())!;
  const y = box.y + box.height / 2;
  const drag = async (): Promise<void> => {
    await page.mouse.move(box.x + box.width * 0.25, y);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.4, y, { steps: 4 });
    await page.mouse.move(box.x + box.width * 0.5, y, { steps: 4 });
    await page.mouse.up();
  };
  await drag();
  const zoomed = await range();
  if (zoomed[0] === initial[0] && zoomed[1] === initial[1]) return { initial, zoomed, reset: zoomed, doubleClicked: zoomed };
  await section.locator('.zoom-reset').click({ timeout: 5000 });
  const reset = await range();
  await drag();
  await page.mouse.dblclick(box.x + box.width * 0.3, y);
  return { initial, zoomed, reset, doubleClicked: await range() };
}

/** Reads the strip's canvas a quarter down its plot: a slot whose failed share is over 25 % is red there. */
function measureStrips(): RenderedReport['strips'] {
  return Array.from(document.querySelectorAll<HTMLElement>('section.drill')).map((section) => {
    const el = section.querySelector<HTMLElement>('.chart.strip')!;
    const canvas = el.querySelector('canvas')!;
    const scale = canvas.width / canvas.clientWidth;
    const num = (k: string): number => Number(el.getAttribute(`data-${k}`));
    const [left, top, width, height, xMin, xMax] = ['plot-left', 'plot-top', 'plot-width', 'plot-height', 'x-min', 'x-max'].map(num) as [
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    const y = Math.round((top + height * 0.25) * scale);
    const row = canvas.getContext('2d')!.getImageData(Math.round(left * scale), y, Math.round(width * scale), 1).data;
    const toS = (px: number): number => xMin + (px / scale / width) * (xMax - xMin);
    const runs: [number, number][] = [];
    let from = -1;
    let lastRed = -10;
    for (let x = 0; x < row.length / 4; x++) {
      const [r, g, b] = [row[x * 4]!, row[x * 4 + 1]!, row[x * 4 + 2]!];
      if (!(r > 200 && g < 90 && b < 90)) continue;
      // An event's dashed marker crossing the red is a gap of a few pixels, not the end of the region.
      if (x - lastRed > 4) {
        if (from >= 0) runs.push([toS(from), toS(lastRed + 1)]);
        from = x;
      }
      lastRed = x;
    }
    if (from >= 0) runs.push([toS(from), toS(lastRed + 1)]);
    return { drill: section.id.replace(/^drill-/, ''), xMin, xMax, redRuns: runs };
  });
}

export async function renderReport(file: string, screenshot?: string): Promise<RenderedReport> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (the test's .ci/run does)`);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const consoleErrors: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
    page.on('request', (r) => {
      if (r.url() !== `file://${file}`) requests.push(r.url());
    });
    const started = Date.now();
    await page.goto(`file://${file}`);
    await page.waitForSelector('body[data-rendered=true]', { timeout: 15_000 });
    const openMs = Date.now() - started;
    const canvases = await page.$$eval('canvas', (list) =>
      list.map((c) => {
        const ctx = c.getContext('2d')!;
        const { data } = ctx.getImageData(0, 0, c.width, c.height);
        let colored = 0;
        for (let i = 0; i < data.length; i += 4) if (data[i + 3]! > 0 && (data[i]! < 250 || data[i + 1]! < 250 || data[i + 2]! < 250)) colored++;
        return { width: c.width, height: c.height, coloredPixels: colored };
      }),
    );
    const verdictRows = await page.$$eval('#verdict-table tbody tr', (rows) =>
      rows
        .map((r) => Array.from(r.querySelectorAll('td'), (td: HTMLTableCellElement) => td.textContent ?? ''))
        .filter((cells) => cells[0] !== '')
        .map((cells) => ({ drill: cells[0]!, result: cells[1]! })),
    );
    const runVerdict = (await page.textContent('#run-verdict')) ?? '';
    await page.mouse.move(0, 0);
    const legends = await page.$$eval('.u-legend', (list) => list.map((l) => l.textContent ?? ''));
    const strips = await page.evaluate(measureStrips);
    const journeyRows = await page.$$eval('.journeys-block:not([hidden]) .journeys tbody tr', (rows) =>
      rows.map((r) => Array.from(r.querySelectorAll('td'), (td: HTMLTableCellElement) => td.textContent ?? '')),
    );
    const zoom = await dragToZoom(page);
    if (screenshot) {
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: path.join(ARTIFACTS, screenshot), fullPage: true });
    }
    return { openMs, consoleErrors, requests, canvases, verdictRows, runVerdict, legends, strips, zoom, journeyRows };
  } finally {
    await browser.close();
  }
}
