/**
 * Record → import → run, as a user does it: headless Chromium (Debian's, driven by playwright-core) signs in
 * to the shop and fills a cart while Playwright records a HAR; `golive har import` turns it into a journey;
 * `golive run` replays it. The shop refuses any value that is not the session's own, so the replay only
 * passes when every CSRF token, redirect and bearer token came from its own responses.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium } from 'playwright-core';
import type { RunResult } from '../../src/model/result.js';
import { startShop, type Shop } from '../fixtures/shop/shop-app.js';
import { CHROMIUM } from '../helpers/browser.js';
import { golive, latestRunDir, tempDir } from '../helpers/cli.js';

const SHOP_STEPS = ['login-form', 'login', 'shop', 'token', 'add', 'cart'];

/** The step names of an imported YAML config, the visit id cut off. */
function journeyOf(yaml: string): string[] {
  return [...yaml.matchAll(/- name: (.+)/g)].slice(1).map((m) => m[1]!.replace(/^(GET \/shop\/).*/, '$1'));
}

describe('replay a recorded browser session', () => {
  let shop: Shop;
  let thirdParty: http.Server;
  let cwd = '';
  before(async () => {
    // Another origin the page loads from (an analytics pixel): the import drops it.
    thirdParty = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'image/gif' }).end());
    await new Promise<void>((r) => thirdParty.listen(0, '127.0.0.2', r));
    const port = (thirdParty.address() as { port: number }).port;
    shop = await startShop({ thirdParty: `http://127.0.0.2:${port}` });
    cwd = tempDir('golive-har-');
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    try {
      const context = await browser.newContext({ recordHar: { path: path.join(cwd, 'session.har') } });
      const page = await context.newPage();
      await page.goto(`${shop.url}/`);
      await page.click('#login');
      await page.fill('input[name=user]', 'ann');
      await page.fill('input[name=password]', 'secret');
      await page.click('#go');
      await page.waitForFunction(() => document.getElementById('status')?.textContent === 'cart: 1', undefined, { timeout: 15_000 });
      await context.close(); // writes the HAR
    } finally {
      await browser.close();
    }
  });
  after(async () => {
    await shop.close();
    await new Promise<void>((r) => thirdParty.close(() => r()));
  });

  test('golive har import: the shop’s steps in order, static assets and the other host dropped, every session value correlated', async () => {
    const r = await golive(['har', 'import', 'session.har', '--out', 'golive.config.yaml'], { cwd });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /wrote golive\.config\.yaml: journey "Shop", 7 steps to http:\/\/127\.0\.0\.1:\d+/);
    assert.match(r.stdout, /csrf +hidden field csrf of step 2 \(GET \/login\) → step 3 \(POST \/login\)/);
    // The redirect's URL becomes the next step's URL (and the Referer of the page's API calls).
    assert.match(r.stdout, /location +header location of step 3 \(POST \/login\) → step 4 \(GET \/shop\/[^)]+\)/);
    assert.match(r.stdout, /token +JSON \$\.token of step 5 \(POST \/api\/token\) → step 6 \(POST \/api\/cart\/items\), step 7 \(GET \/api\/cart\)/);
    assert.match(r.stdout, /dropped \d static assets .*GET \/static\/shop\.css ×\d, GET \/static\/shop\.js/);
    assert.match(r.stdout, /dropped requests to other hosts .*127\.0\.0\.2:\d+ \(1\)/);
    const config = readFileSync(path.join(cwd, 'golive.config.yaml'), 'utf8');
    assert.match(config, /csrf=\{\{vars\.csrf\|url\}\}&user=ann&password=secret/);
    assert.match(config, /url: "\{\{vars\.location\}\}"|url: '\{\{vars\.location\}\}'/);
    assert.match(config, /authorization: Bearer \{\{vars\.token\}\}/);
    assert.doesNotMatch(config, /sid=/, 'the recorded session cookie is not replayed: each journey has its own jar');
    // Again: the config exists (exit 2, named); a missing recording is named before that.
    const again = await golive(['har', 'import', 'session.har', '--out', 'golive.config.yaml'], { cwd });
    assert.equal(again.code, 2);
    assert.match(again.stderr, /golive\.config\.yaml exists; use --force to overwrite it/);
    const missing = await golive(['har', 'import', 'missing.har', '--out', 'golive.config.yaml'], { cwd });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^missing\.har has a problem:\n {2}✖ cannot read: ENOENT/);
  });

  test('golive run replays it: 20 journeys/s for 10 s, each with its own session and token, zero check failures', async () => {
    const before = shop.stats();
    const sessionsBefore = before.sessions;
    const rejectedBefore = { ...before.rejected };
    const r = await golive(['run', '-c', 'golive.config.yaml', '--rate', '20', '-d', '10s'], { cwd });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const stats = shop.stats();
    assert.equal(stats.sessions - sessionsBefore, 200, 'every journey opened its own session');
    assert.deepEqual(stats.rejected, rejectedBefore, 'the shop refused no CSRF token, session, visit or bearer token');
    for (const steps of stats.journeys.slice(-200)) assert.deepEqual(steps, SHOP_STEPS, 'every journey’s steps, in order');
    assert.deepEqual(journeyOf(readFileSync(path.join(cwd, 'golive.config.yaml'), 'utf8')), [
      'GET /',
      'GET /login',
      'POST /login',
      'GET /shop/',
      'POST /api/token',
      'POST /api/cart/items',
      'GET /api/cart',
    ]);
    const summary = JSON.parse(readFileSync(path.join(latestRunDir(cwd), 'summary.json'), 'utf8')) as RunResult;
    const [journey] = summary.drills[0]!.journeys!;
    assert.ok(journey);
    assert.deepEqual([journey.started, journey.completed, journey.failed, journey.timedOut], [200, 200, 0, 0]);
    assert.equal(summary.drills[0]!.requests.failed, 0);
    assert.equal(summary.drills[0]!.requests.byOutcome['check_failed'], undefined);
  });

  test('the same recording without correlation fails with the shop’s 403s: correlation is what works', async () => {
    const imported = await golive(['har', 'import', 'session.har', '--no-correlate', '--out', 'plain.yaml'], { cwd });
    assert.equal(imported.code, 0, imported.stderr);
    assert.match(imported.stdout, /correlation: off/);
    const csrfBefore = shop.stats().rejected.csrf;
    const r = await golive(['run', '-c', 'plain.yaml', '--rate', '5', '-d', '2s'], { cwd });
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.equal(shop.stats().rejected.csrf - csrfBefore, 10, 'each journey’s recorded CSRF token was refused');
    assert.match(r.stdout, /POST \/login +10 +10 .*http_403 10/);
    assert.match(r.stdout, /✗ failed journeys +limit ≤ 0 +measured 10/);
  });
});
