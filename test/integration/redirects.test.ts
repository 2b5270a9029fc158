/**
 * `followRedirects`: redirects on the target's origin are followed up to a bound, the final response is judged and
 * its latency runs from the first request's intended start; another host only when allowed; a loop fails.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { validateConfig } from '../../src/config/load-config.js';
import type { GoliveConfigInput } from '../../src/config/schema.js';
import { toLoadPlan } from '../../src/config/to-plan.js';
import { InputError } from '../../src/errors.js';
import { runEngine } from '../helpers/run-engine.js';

type Load = NonNullable<GoliveConfigInput['load']>;

interface Seen {
  method: string;
  url: string;
  body: string;
  authorization: string | undefined;
}

/** A real HTTP server whose answers are given per path; it keeps every request it saw. */
async function startServer(routes: Record<string, (res: http.ServerResponse) => void>): Promise<{ origin: string; seen: Seen[]; close(): Promise<void> }> {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, body, authorization: req.headers.authorization });
      const route = routes[new URL(req.url!, 'http://x').pathname];
      if (route) route(res);
      else res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function planOf(origin: string, requests: Load['requests']) {
  const load: Load = { rate: 20, duration: '500ms', connections: 4, timeout: '5s', requests };
  return toLoadPlan(validateConfig({ target: { url: origin }, load }, 'test'), '/', 'test');
}

const redirect =
  (status: number, location: string, delayMs = 0) =>
  (res: http.ServerResponse): void => {
    setTimeout(() => res.writeHead(status, { location }).end(), delayMs);
  };

describe('followRedirects', () => {
  let other: Awaited<ReturnType<typeof startServer>>;
  let app: Awaited<ReturnType<typeof startServer>>;
  before(async () => {
    other = await startServer({ '/landing': (res) => res.end('elsewhere') });
    const otherPort = new URL(other.origin).port;
    app = await startServer({
      '/start': redirect(302, '/middle?from=start', 30),
      '/middle': redirect(301, 'end', 30),
      '/end': (res) => setTimeout(() => res.end('done'), 30),
      '/loop': redirect(302, '/loop'),
      '/away': redirect(302, `http://localhost:${otherPort}/landing`),
      '/form': redirect(303, '/thanks'),
      '/keep': redirect(307, '/echo'),
      '/thanks': (res) => res.end('thanks'),
      '/echo': (res) => res.end('echo'),
    });
  });
  after(async () => {
    await app.close();
    await other.close();
  });

  test('a chain on the target is followed to its end: judged there, latency from the first intended start', async () => {
    app.seen.length = 0;
    const run = await runEngine(planOf(app.origin, [{ url: '/start', followRedirects: true, check: { bodyContains: 'done' } }]));
    assert.deepEqual(run.requests.byOutcome, { ok: 10 });
    const count = (url: string): number => app.seen.filter((s) => s.url === url).length;
    assert.deepEqual([count('/start'), count('/middle?from=start'), count('/end')], [10, 10, 10], 'each hop once for each request started');
    assert.ok(run.latencyMs.min >= 90, `the three hops of 30 ms are in the latency: min ${run.latencyMs.min} ms`);
  });

  test('without followRedirects the redirect is the response, and fails', async () => {
    const run = await runEngine(planOf(app.origin, [{ url: '/start' }]));
    assert.deepEqual(run.requests.byOutcome, { http_302: 10 });
  });

  test('a redirect loop ends at the bound as too_many_redirects', async () => {
    app.seen.length = 0;
    const run = await runEngine(planOf(app.origin, [{ url: '/loop', followRedirects: 3 }]));
    assert.deepEqual(run.requests.byOutcome, { too_many_redirects: 10 });
    assert.equal(app.seen.length, 40, 'the request and 3 redirects followed, for each one started');
  });

  test('another host is not followed unless allowed; then without the credentials', async () => {
    const withAuth = { url: '/away', headers: { authorization: 'Bearer secret' } };
    const notAllowed = await runEngine(planOf(app.origin, [{ ...withAuth, followRedirects: true }]));
    assert.deepEqual(notAllowed.requests.byOutcome, { http_302: 10 });
    assert.equal(other.seen.length, 0);
    const allowed = await runEngine(planOf(app.origin, [{ ...withAuth, followRedirects: { hosts: ['localhost'] }, check: { bodyContains: 'elsewhere' } }]));
    assert.deepEqual(allowed.requests.byOutcome, { ok: 10 });
    assert.equal(other.seen.length, 10);
    assert.ok(
      other.seen.every((s) => s.authorization === undefined),
      'the Authorization header stays with the target',
    );
  });

  test('303 (and 301/302 after a POST) continue as GET without the body; 307 and 308 keep the method and body', async () => {
    app.seen.length = 0;
    const run = await runEngine(
      planOf(app.origin, [
        { url: '/form', method: 'POST', body: 'a=1', followRedirects: true },
        { url: '/keep', method: 'POST', body: 'b=2', followRedirects: true },
      ]),
    );
    assert.deepEqual(run.requests.byOutcome, { ok: 10 });
    const thanks = app.seen.filter((s) => s.url === '/thanks');
    const echo = app.seen.filter((s) => s.url === '/echo');
    assert.ok(thanks.length === 5 && thanks.every((s) => s.method === 'GET' && s.body === ''));
    assert.ok(echo.length === 5 && echo.every((s) => s.method === 'POST' && s.body === 'b=2'));
  });

  test('a request beside journeys (run as a journey of one step) follows its redirects too', async () => {
    const load: Load = {
      rate: 20,
      duration: '500ms',
      timeout: '5s',
      requests: [{ url: '/start', followRedirects: true, check: { bodyContains: 'done' } }],
      journeys: [{ name: 'thanks', steps: [{ url: '/thanks' }] }],
    };
    const run = await runEngine(toLoadPlan(validateConfig({ target: { url: app.origin }, load }, 'test'), '/', 'test'));
    assert.deepEqual(run.requests.byOutcome, { ok: 10 });
  });

  test('followRedirects takes true, a bound from 1 to 20, or { max, hosts }: anything else is a config error', () => {
    const origin = 'http://127.0.0.1:1';
    assert.deepEqual(planOf(origin, [{ followRedirects: true }]).requests[0]!.followRedirects, { max: 10, hosts: [] });
    assert.deepEqual(planOf(origin, [{ followRedirects: 2 }]).requests[0]!.followRedirects, { max: 2, hosts: [] });
    assert.equal(planOf(origin, [{ followRedirects: false }]).requests[0]!.followRedirects, undefined);
    assert.deepEqual(planOf(origin, [{ followRedirects: { hosts: ['Login.Example.com'] } }]).requests[0]!.followRedirects, {
      max: 10,
      hosts: ['login.example.com'],
    });
    assert.throws(
      () => planOf(origin, [{ followRedirects: 50 }]),
      (err: unknown) => err instanceof InputError && /load\.requests\.0\.followRedirects/.test(err.message) && /at most 20/.test(err.message),
    );
  });
});
