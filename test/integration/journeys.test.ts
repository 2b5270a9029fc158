/**
 * Journeys against a shop that guards its sessions as real apps do (test/fixtures/shop): every value a step
 * needs comes from an earlier response, so a journey only gets through with correct extraction, cookies and order.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { journeyResults } from '../../src/analysis/journeys.js';
import { validateConfig } from '../../src/config/load-config.js';
import { toLoadPlan } from '../../src/config/to-plan.js';
import type { GoliveConfigInput } from '../../src/config/schema.js';
import { startShop, type Shop } from '../fixtures/shop/shop-app.js';
import { startLoadEngine } from '../../src/engine/engine.js';
import { runEngine } from '../helpers/run-engine.js';
import { waitFor } from '../helpers/wait.js';

const SHOP_STEPS = ['login-form', 'login', 'shop', 'token', 'add', 'cart'];

function buyJourney(): NonNullable<NonNullable<GoliveConfigInput['load']>['journeys']>[number] {
  return {
    name: 'buy',
    steps: [
      { name: 'login form', url: '/login', extract: { csrf: { regex: 'name="csrf" value="([^"]+)"' } }, think: { min: '20ms', max: '40ms' } },
      {
        name: 'sign in',
        method: 'POST',
        url: '/login',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'csrf={{vars.csrf|url}}&user=ann&password=pw',
        check: { status: [303] },
        extract: { shop: { header: 'location' } },
      },
      { name: 'shop page', url: '{{vars.shop}}', check: { bodyContains: 'shop.js' } },
      { name: 'api token', method: 'POST', url: '/api/token', extract: { token: { jsonPath: '$.token' } } },
      { name: 'add to cart', method: 'POST', url: '/api/cart/items', headers: { authorization: 'Bearer {{vars.token}}' }, json: { sku: 'book' } },
      { name: 'cart', url: '/api/cart', headers: { authorization: 'Bearer {{vars.token}}' }, check: { jsonPath: { '$.items[0]': 'book' } } },
    ],
  };
}

function planOf(url: string, load: GoliveConfigInput['load'], openEnded = false) {
  return toLoadPlan(validateConfig({ target: { url }, load }, 'test'), '/', 'test', { openEnded });
}

describe('journeys', () => {
  let shop: Shop;
  before(async () => {
    shop = await startShop();
  });
  after(() => shop.close());

  test('open model: journeys per second, each with its own session, CSRF token, redirect and bearer token, steps in order', async () => {
    const before = shop.stats().sessions;
    const plan = planOf(shop.url, { rate: 20, duration: '3s', journeys: [buyJourney()] });
    const run = await runEngine(plan, 2);
    const stats = shop.stats();
    const [buy] = journeyResults(run.recording.journeys!);
    assert.ok(buy);
    assert.equal(buy.started, 60, '20 journeys/s for 3 s');
    assert.equal(stats.sessions - before, 60, 'each journey opened its own session');
    assert.deepEqual(stats.rejected, { csrf: 0, session: 0, visit: 0, token: 0 }, 'the shop refused nothing');
    assert.equal(buy.failed, 0);
    assert.equal(buy.completed, 60, 'journeys under way at the planned end go on to their end');
    assert.equal(buy.unfinished, 0);
    const finished = stats.journeys.slice(before).filter((steps) => steps.length === SHOP_STEPS.length);
    assert.equal(finished.length, buy.completed);
    for (const steps of stats.journeys.slice(before)) assert.deepEqual(steps, SHOP_STEPS.slice(0, steps.length), 'steps in order');
    // Per request and per step, the same requests.
    const stepRequests = buy.steps.reduce((n, s) => n + s.requests.total, 0);
    assert.equal(run.requests.total, stepRequests);
    assert.equal(run.requests.failed, 0);
    assert.deepEqual(
      buy.steps.map((s) => s.name),
      ['login form', 'sign in', 'shop page', 'api token', 'add to cart', 'cart'],
    );
    assert.equal(buy.steps[0]!.requests.total, 60);
    assert.equal(buy.steps[5]!.requests.total, buy.completed);
    // The achieved rate counts journeys started, not requests.
    assert.equal(run.recording.sent, 60);
    assert.ok(buy.durationMs && buy.durationMs.min >= 20, 'a journey lasts at least its think time');
  });

  test('an extraction that finds nothing fails its step (check_failed) and ends the journey; later steps are never sent', async () => {
    const journey = buyJourney();
    journey.steps[3] = { ...journey.steps[3]!, extract: { token: { jsonPath: '$.accessToken' } } };
    const plan = planOf(shop.url, { rate: 10, duration: '2s', journeys: [journey] });
    const rejectedBefore = { ...shop.stats().rejected };
    const run = await runEngine(plan, 1);
    const [buy] = journeyResults(run.recording.journeys!);
    assert.ok(buy);
    assert.equal(buy.completed, 0);
    assert.ok(buy.failed >= 15, `${buy.failed} failed`);
    assert.equal(buy.steps[3]!.requests.byOutcome['check_failed'], buy.failed);
    assert.equal(buy.steps[4]!.requests.total, 0);
    assert.equal(buy.steps[5]!.requests.total, 0);
    assert.equal(buy.failedRate, 1);
    assert.deepEqual(shop.stats().rejected, rejectedBefore, 'the shop saw no bad token: none was sent');
  });

  test('without correlation the recorded values are refused: a fixed CSRF token gets 403s, and the journey stops there', async () => {
    const journey = buyJourney();
    journey.steps[1] = { ...journey.steps[1]!, body: 'csrf=recorded-token&user=ann&password=pw' };
    const plan = planOf(shop.url, { rate: 10, duration: '1s', journeys: [journey] });
    const csrfBefore = shop.stats().rejected.csrf;
    const run = await runEngine(plan, 1);
    const [buy] = journeyResults(run.recording.journeys!);
    assert.ok(buy);
    assert.equal(buy.steps[1]!.requests.byOutcome['http_403'], buy.failed);
    assert.equal(shop.stats().rejected.csrf - csrfBefore, buy.failed);
    assert.equal(buy.steps[2]!.requests.total, 0);
  });

  test('cookies: off, the session cookie is not sent back and the shop refuses the sign-in', async () => {
    const plan = planOf(shop.url, { rate: 5, duration: '1s', journeys: [{ ...buyJourney(), cookies: false }] });
    const sessionBefore = shop.stats().rejected.session;
    const run = await runEngine(plan, 1);
    const [buy] = journeyResults(run.recording.journeys!);
    assert.ok(buy);
    assert.equal(buy.completed, 0);
    assert.equal(shop.stats().rejected.session - sessionBefore, buy.failed);
  });

  test('closed model: each virtual user loops its journey', async () => {
    const plan = planOf(shop.url, { executor: 'constant-vus', vus: 3, duration: '2s', journeys: [buyJourney()] });
    const run = await runEngine(plan, 1);
    const [buy] = journeyResults(run.recording.journeys!);
    assert.ok(buy);
    assert.ok(buy.completed >= 6, `${buy.completed} journeys by 3 users in 2 s`);
    assert.equal(buy.failed, 0);
    assert.equal(buy.unfinished, 0, 'each user finishes the journey it is on');
  });
});

describe('journeys: time', () => {
  let server: http.Server;
  let url = '';
  const arrivals: { path: string; at: number }[] = [];
  before(async () => {
    server = http.createServer((req, res) => {
      arrivals.push({ path: req.url ?? '', at: performance.now() });
      // The second step is slow: 150 ms.
      if (req.url === '/slow') setTimeout(() => res.end('ok'), 150);
      else res.end('ok');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  test('each step starts after the previous response plus its think time; latency counts from that intended start', async () => {
    arrivals.length = 0;
    const plan = planOf(url, {
      rate: 4,
      duration: '1s',
      journeys: [
        {
          name: 'paced',
          steps: [
            { name: 'first', url: '/first', think: '300ms' },
            { name: 'slow', url: '/slow' },
            { name: 'last', url: '/last' },
          ],
        },
      ],
    });
    const run = await runEngine(plan, 1);
    const [paced] = journeyResults(run.recording.journeys!);
    assert.ok(paced);
    assert.equal(paced.completed, 4);
    const first = arrivals.filter((a) => a.path === '/first');
    const slow = arrivals.filter((a) => a.path === '/slow');
    assert.equal(first.length, 4);
    for (let i = 0; i < 4; i++) assert.ok(slow[i]!.at - first[i]!.at >= 300, `think time held: ${(slow[i]!.at - first[i]!.at).toFixed(1)} ms`);
    assert.ok(paced.steps[1]!.latencyMs.min >= 150, 'the slow step is slow');
    assert.ok(paced.steps[2]!.latencyMs.max < 150, 'the step after it is not charged with its wait');
    assert.ok(paced.durationMs!.min >= 450, `a journey lasts its think time and its slow step: ${paced.durationMs!.min} ms`);
    // Journeys run past the planned end, but the achieved rate is of journeys started: the last start is inside the 1 s.
    assert.ok(run.recording.lastSentMs! < 1000, `last start at ${run.recording.lastSentMs} ms`);
  });

  test('a journey still running at its maxDuration is cut and counted as failed', async () => {
    const plan = planOf(url, {
      rate: 5,
      duration: '1s',
      journeys: [{ name: 'long', maxDuration: '100ms', steps: [{ url: '/first', think: '200ms' }, { url: '/never' }] }],
    });
    arrivals.length = 0;
    const run = await runEngine(plan, 1);
    const [long] = journeyResults(run.recording.journeys!);
    assert.ok(long);
    assert.equal(long.timedOut, 5);
    assert.equal(long.failedRate, 1);
    assert.equal(arrivals.filter((a) => a.path === '/never').length, 0);
  });

  test("a stop (a drill's end, Ctrl-C) cuts journeys under way: counted as unfinished, their next steps never sent", async () => {
    arrivals.length = 0;
    const plan = planOf(url, { rate: 10, journeys: [{ name: 'thinking', steps: [{ url: '/first', think: '5s' }, { url: '/second' }] }] }, true);
    const engine = startLoadEngine({ plan, workers: 1 });
    await engine.started;
    await waitFor('three journeys under way', () => arrivals.length >= 3);
    engine.stop();
    const recording = await engine.finished;
    const [thinking] = journeyResults(recording.journeys!);
    assert.ok(thinking);
    assert.ok(thinking.started >= 3);
    assert.equal(thinking.unfinished, thinking.started);
    assert.equal(thinking.completed + thinking.failed + thinking.timedOut, 0);
    assert.equal(arrivals.filter((a) => a.path === '/second').length, 0);
  });
});
