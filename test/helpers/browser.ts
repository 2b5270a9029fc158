/** Opens an HTML report in Debian's headless Chromium (playwright-core drives it) and reports what it saw. */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

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
    if (screenshot) {
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: path.join(ARTIFACTS, screenshot), fullPage: true });
    }
    return { openMs, consoleErrors, requests, canvases, verdictRows, runVerdict };
  } finally {
    await browser.close();
  }
}
