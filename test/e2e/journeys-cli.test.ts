/** A journeys config through the CLI as a user runs it: the per-step table on screen, in summary.json, summary.md and report.html. */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { RunResult } from '../../src/model/result.js';
import { startShop, type Shop } from '../fixtures/shop/shop-app.js';
import { renderReport } from '../helpers/browser.js';
import { golive, latestRunDir, tempDir } from '../helpers/cli.js';

let shop: Shop;
before(async () => {
  shop = await startShop();
});
after(() => shop.close());

const config = (url: string, tokenPath: string): string =>
  [
    `target: { url: '${url}' }`,
    'reporters: [terminal, json, html, markdown]',
    'load:',
    '  rate: 10',
    '  duration: 2s',
    '  threads: 1',
    '  journeys:',
    '    - name: buy',
    '      steps:',
    `        - { name: login form, url: /login, extract: { csrf: { regex: 'name="csrf" value="([^"]+)"' } }, think: 50ms }`,
    "        - { name: sign in, method: POST, url: /login, headers: { content-type: application/x-www-form-urlencoded }, body: 'csrf={{vars.csrf|url}}&user=a&password=b', check: { status: [303] }, extract: { next: { header: location } } }",
    "        - { name: shop, url: '{{vars.next}}' }",
    `        - { name: token, method: POST, url: /api/token, extract: { token: { jsonPath: '${tokenPath}' } } }`,
    "        - { name: cart, url: /api/cart, headers: { authorization: 'Bearer {{vars.token}}' } }",
    'drills:',
    "  capacity: { objectives: { maxFailedJourneys: 0, thresholds: ['rate(failed_journeys)<0.01'] } }",
    '',
  ].join('\n');

test('golive run with journeys: every report shows the journey and its steps; the objectives judge journeys', async () => {
  const cwd = tempDir();
  writeFileSync(path.join(cwd, 'golive.config.yaml'), config(shop.url, '$.token'));
  const r = await golive(['run'], { cwd });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /open model, constant-arrival-rate up to 10 journeys\/s \(1 journey\)/);
  assert.match(r.stdout, /buy: 20 started · 20 completed · 0 failed · duration med /);
  for (const step of ['login form', 'sign in', 'shop', 'token', 'cart']) assert.match(r.stdout, new RegExp(`\\n +${step} +20 +0 `));
  assert.match(r.stdout, /✓ failed journeys +limit ≤ 0 +measured 0 +\(20 journeys ended\)/);
  assert.match(r.stdout, /✓ rate\(failed_journeys\)<0.01 .*measured failed journeys 0 % \(0 of 20\)/);
  const dir = latestRunDir(cwd);
  const summary = JSON.parse(readFileSync(path.join(dir, 'summary.json'), 'utf8')) as RunResult;
  const journeys = summary.drills[0]!.journeys!;
  assert.equal(journeys[0]!.completed, 20);
  assert.deepEqual(
    journeys[0]!.steps.map((s) => [s.name, s.requests.total]),
    [
      ['login form', 20],
      ['sign in', 20],
      ['shop', 20],
      ['token', 20],
      ['cart', 20],
    ],
  );
  const md = readFileSync(path.join(dir, 'summary.md'), 'utf8');
  assert.match(md, /### Journeys/);
  assert.match(md, /\| capacity \| \*\*buy\*\* \| 20 \| 0 \|/);
  assert.match(md, /\| \| sign in \| 20 \| 0 \|/);
  const shown = await renderReport(path.join(dir, 'report.html'));
  assert.deepEqual(shown.consoleErrors, []);
  assert.deepEqual(
    shown.journeyRows.map((cells) => cells.slice(0, 4)),
    [
      ['buy', '20', '20', '0'],
      ['login form', '20', '20', '0'],
      ['sign in', '20', '20', '0'],
      ['shop', '20', '20', '0'],
      ['token', '20', '20', '0'],
      ['cart', '20', '20', '0'],
    ],
  );
});

test('an extraction that finds nothing fails the drill: the step shows check_failed, the journeys failed', async () => {
  const cwd = tempDir();
  writeFileSync(path.join(cwd, 'golive.config.yaml'), config(shop.url, '$.accessToken'));
  const r = await golive(['run'], { cwd });
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /buy: 20 started · 0 completed · 20 failed/);
  assert.match(r.stdout, /\n +token +20 +20 .*check_failed 20/);
  assert.match(r.stdout, /\n +cart +0 +0 /);
  assert.match(r.stdout, /✗ failed journeys +limit ≤ 0 +measured 20/);
});
