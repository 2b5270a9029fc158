import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { InputError } from '../../../src/errors.js';
import { readHar } from '../../../src/har/har-file.js';
import { harToJourney, type ImportResult } from '../../../src/har/to-journey.js';
import { configText } from '../../../src/har/write-config.js';
import { loadConfig } from '../../../src/config/load-config.js';
import { tempDir } from '../../helpers/temp-dir.js';

interface E {
  method?: string;
  url: string;
  at: number;
  time?: number;
  reqHeaders?: Record<string, string>;
  body?: { mimeType: string; text?: string; params?: { name: string; fileName?: string }[] };
  status?: number;
  resHeaders?: [string, string][];
  mime?: string;
  text?: string;
  type?: string;
}

function har(entries: E[], title = 'Checkout'): string {
  const t0 = Date.parse('2026-12-01T10:00:00Z');
  return JSON.stringify({
    log: {
      version: '1.2',
      creator: { name: 'test' },
      pages: [{ title }],
      entries: entries.map((e) => ({
        startedDateTime: new Date(t0 + e.at).toISOString(),
        time: e.time ?? 10,
        ...(e.type ? { _resourceType: e.type } : {}),
        request: {
          method: e.method ?? 'GET',
          url: e.url,
          headers: Object.entries(e.reqHeaders ?? {}).map(([name, value]) => ({ name, value })),
          ...(e.body ? { postData: e.body } : {}),
        },
        response: {
          status: e.status ?? 200,
          headers: (e.resHeaders ?? []).map(([name, value]) => ({ name, value })),
          content: { mimeType: e.mime ?? 'text/html', ...(e.text !== undefined ? { text: e.text } : {}) },
        },
      })),
    },
  });
}

function importOf(text: string, options: Partial<Parameters<typeof harToJourney>[1]> = {}): ImportResult {
  const dir = tempDir('golive-har-');
  const file = path.join(dir, 's.har');
  writeFileSync(file, text);
  const r = harToJourney(readHar(file), { hosts: [], keepStatic: false, correlate: true, ...options });
  if ('error' in r) assert.fail(r.error);
  return r;
}

const APP = 'https://shop.example';
const TOKEN = 'eyJhbGciOi.J9-token_value';
const CSRF = 'k+9/aZ=Qw12';

const session: E[] = [
  { url: `${APP}/`, at: 0, type: 'document', reqHeaders: { ':authority': 'shop.example', 'user-agent': 'Firefox', 'accept-encoding': 'gzip' }, text: '<html>' },
  { url: `${APP}/app.css`, at: 5, type: 'stylesheet', mime: 'text/css', text: 'body{}' },
  { url: 'https://cdn.example.net/lib.js', at: 6, mime: 'application/javascript', text: '' },
  {
    url: `${APP}/login`,
    at: 1000,
    text: `<meta content="m3ta-csrf-value" name="csrf-token"><form><input value="${CSRF}" type="hidden" name="authenticity"><input name="q" value="search"></form>`,
    resHeaders: [['Set-Cookie', 'sid=recorded-session-id; Path=/; HttpOnly']],
  },
  {
    method: 'POST',
    url: `${APP}/login`,
    at: 3000,
    reqHeaders: { cookie: 'sid=recorded-session-id', 'content-type': 'application/x-www-form-urlencoded', 'x-csrf-token': 'm3ta-csrf-value' },
    body: { mimeType: 'application/x-www-form-urlencoded', text: `authenticity=${encodeURIComponent(CSRF)}&user=ann` },
    status: 302,
    resHeaders: [
      ['Location', '/orders/v-7788991'],
      ['Set-Cookie', 'XSRF-TOKEN=xsrf-cookie-value; Path=/'],
    ],
  },
  { url: `${APP}/orders/v-7788991`, at: 3020, reqHeaders: { 'x-xsrf-token': 'xsrf-cookie-value' } },
  {
    method: 'POST',
    url: `${APP}/api/session`,
    at: 3500,
    mime: 'application/json',
    text: JSON.stringify({ auth: { access_token: TOKEN, expires: 3600 }, id: 42 }),
  },
  {
    method: 'GET',
    url: `${APP}/api/orders?access=${encodeURIComponent(TOKEN)}&page=2`,
    at: 4000,
    reqHeaders: { authorization: `Bearer ${TOKEN}` },
    mime: 'application/json',
    text: '[]',
  },
  {
    url: `${APP}/api/profile`,
    at: 4100,
    reqHeaders: { authorization: 'Bearer from-before-the-recording', cookie: 'remember=me' },
    mime: 'application/json',
    text: '{}',
  },
  { url: `wss://shop.example/live`, at: 4200, status: 101, type: 'websocket' },
  {
    method: 'POST',
    url: `${APP}/upload`,
    at: 4300,
    body: { mimeType: 'multipart/form-data; boundary=x', params: [{ name: 'file', fileName: 'photo.jpg' }] },
    reqHeaders: { 'content-length': '52311' },
    status: 201,
  },
  { url: `${APP}/never`, at: 4400, status: 0 },
];

describe('golive har import', () => {
  const r = importOf(har(session));
  const step = (name: string) => r.journey.steps.find((s) => s.name === name)!;

  test('the first page’s host, in order; static assets, other hosts, websockets and requests without a response dropped', () => {
    assert.equal(r.origin, APP);
    assert.equal(r.journey.name, 'Checkout');
    assert.deepEqual(
      r.journey.steps.map((s) => s.name),
      ['GET /', 'GET /login', 'POST /login', 'GET /orders/v-7788991', 'POST /api/session', 'GET /api/orders', 'GET /api/profile', 'POST /upload'],
    );
    assert.deepEqual(r.dropped.staticAssets, ['GET /app.css']);
    assert.deepEqual([...r.dropped.otherHosts], [['cdn.example.net', 1]]);
    assert.deepEqual(r.dropped.websockets, ['GET /live']);
    assert.deepEqual(r.dropped.noResponse, ['GET /never']);
  });

  test('recorded statuses become checks, gaps become think times; pseudo, cookie, encoding and length headers are not replayed', () => {
    assert.deepEqual(step('GET /').check, { status: [200] });
    assert.deepEqual(step('POST /login').check, { status: [302] });
    assert.equal(step('GET /').think, '990ms');
    assert.equal(step('GET /login').think, '1990ms');
    assert.equal(step('POST /login').think, '10ms');
    assert.deepEqual(step('GET /').headers, { 'user-agent': 'Firefox' });
    assert.equal(step('POST /login').headers?.['cookie'], undefined);
    assert.equal(step('POST /upload').headers?.['content-length'], undefined);
  });

  test('correlation: a hidden field (form-encoded), a meta tag, a Location, a cookie sent as a header, a JSON field in a header and a query', () => {
    assert.deepEqual(step('GET /login').extract, {
      authenticity: { regex: 'value="([^"]*)"[^>]*name="authenticity"' },
      csrf_token: { regex: 'content="([^"]*)"[^>]*name="csrf-token"' },
    });
    assert.equal(step('POST /login').body, 'authenticity={{vars.authenticity|url}}&user=ann');
    assert.equal(step('POST /login').headers?.['x-csrf-token'], '{{vars.csrf_token}}');
    assert.deepEqual(step('POST /login').extract, { location: { header: 'location' }, cookie_XSRF_TOKEN: { cookie: 'XSRF-TOKEN' } });
    assert.equal(step('GET /orders/v-7788991').url, '{{vars.location}}');
    assert.equal(step('GET /orders/v-7788991').headers?.['x-xsrf-token'], '{{vars.cookie_XSRF_TOKEN}}');
    assert.deepEqual(step('POST /api/session').extract, { access_token: { jsonPath: '$.auth.access_token' } });
    assert.equal(step('GET /api/orders').headers?.['authorization'], 'Bearer {{vars.access_token}}');
    assert.equal(step('GET /api/orders').url, '/api/orders?access={{vars.access_token|url}}&page=2');
    assert.deepEqual(
      r.variables.map((v) => [v.name, v.source, v.from]),
      [
        // Longer values are looked for first, so a value inside another is never taken for it.
        ['csrf_token', 'meta csrf-token', 'step 2 (GET /login)'],
        ['authenticity', 'hidden field authenticity', 'step 2 (GET /login)'],
        ['location', 'header location', 'step 3 (POST /login)'],
        ['cookie_XSRF_TOKEN', 'Set-Cookie XSRF-TOKEN', 'step 3 (POST /login)'],
        ['access_token', 'JSON $.auth.access_token', 'step 5 (POST /api/session)'],
      ],
    );
  });

  test('what it could not correlate or replay is a warning naming the step', () => {
    assert.deepEqual(r.warnings, [
      'step 8 (POST /upload): uploads (photo.jpg) are replayed with the recorded body as text, if the recording kept it',
      'step 8 (POST /upload): the recording has no body for this request (binary, or left out by the browser): it is sent empty',
      'step 7 (GET /api/profile): cookie remember was set before the recording began (or by a request not replayed): the replay starts without it',
      'step 7 (GET /api/profile): header authorization carries a recorded value no earlier response returned: it is replayed as recorded',
      "websockets are not replayed: GET /live (golive's journeys speak HTTP only)",
    ]);
  });

  test('--no-correlate: every value as recorded, no extraction', () => {
    const plain = importOf(har(session), { correlate: false });
    assert.equal(plain.variables.length, 0);
    assert.ok(plain.journey.steps.every((s) => s.extract === undefined));
    assert.equal(plain.journey.steps[2]!.body, `authenticity=${encodeURIComponent(CSRF)}&user=ann`);
  });

  test('--host chooses the origin; --keep-static keeps assets; two origins at once are refused', () => {
    const cdn = importOf(har(session), { hosts: ['cdn.example.net'], keepStatic: true });
    assert.equal(cdn.origin, 'https://cdn.example.net');
    assert.deepEqual(
      cdn.journey.steps.map((s) => s.name),
      ['GET /lib.js'],
    );
    assert.ok(importOf(har(session), { keepStatic: true }).journey.steps.some((s) => s.name === 'GET /app.css'));
    const dir = tempDir('golive-har-');
    writeFileSync(path.join(dir, 's.har'), har(session));
    const both = harToJourney(readHar(path.join(dir, 's.har')), { hosts: ['shop.example', 'cdn.example.net'], keepStatic: true, correlate: true });
    assert.deepEqual(both, {
      error: 'a journey goes to one origin; the chosen hosts are https://shop.example, https://cdn.example.net: choose one with --host',
    });
  });

  test('a file that is not a HAR: a clear error naming the file and the path inside it', () => {
    const dir = tempDir('golive-har-');
    const cases: [string, string][] = [
      ['{', 'not a HAR file (not valid JSON:'],
      ['{"log":{}}', 'log.entries: not a HAR file: expected { "log": { "entries": [...] } } (HAR 1.2)'],
      [
        JSON.stringify({
          log: {
            entries: [
              { startedDateTime: 'yesterday', request: {}, response: {} },
              { startedDateTime: '2026-12-01T10:00:00Z', request: { method: 'GET', url: '/relative' }, response: {} },
            ],
          },
        }),
        'log.entries.0.startedDateTime: expected an ISO 8601 date',
      ],
    ];
    for (const [text, message] of cases) {
      const file = path.join(dir, 'bad.har');
      writeFileSync(file, text);
      assert.throws(
        () => readHar(file, 'bad.har'),
        (err: unknown) => err instanceof InputError && err.message.startsWith('bad.har') && err.message.includes(message),
      );
    }
    writeFileSync(path.join(dir, 'rel.har'), cases[2]![0]);
    assert.throws(() => readHar(path.join(dir, 'rel.har'), 'rel.har'), /log\.entries\.1\.request\.url: expected an absolute URL/);
  });
});

describe('golive har import: a crafted recording', () => {
  const TITLE = 'Shop \u001b[2J\u001b]0;owned\u0007 "q" \'a\' `b` ${x} */ \u2028\u2029 </script> \u009b1m';
  const TRICKY = ['"}); process.exit(1); ({"', "'); process.exit(1); ('", '`${process.exit(1)}`', '*/ process.exit(1) /*', 'a\u2028"b": 1', '\\"); x("'];
  const crafted: E[] = [
    {
      method: 'POST',
      url: `${APP}/x?q=${encodeURIComponent(TRICKY.join('&'))}`,
      at: 0,
      reqHeaders: Object.fromEntries(TRICKY.map((v, i) => [`x-t${i}`, v])),
      body: { mimeType: 'text/plain', text: `${TRICKY.join('\n')}\n  "key": "x"\n# yaml comment\n--- \n...` },
      mime: 'application/json',
      text: '{}',
    },
  ];

  test('the title is inert: no control character reaches a terminal or the config', () => {
    const r = importOf(har(crafted, TITLE));
    // Slashes and line breaks are spaces (as they were), control characters \xNN, at most 60 characters.
    assert.equal(r.journey.name, 'Shop \\x1b[2J\\x1b]0;owned\\x07 "q" \'a\' `b` ${x} *  \u2028\u2029 < script> \\x9b1m'.slice(0, 60));
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(r.journey.name, /[\u0000-\u001f\u007f-\u009f]/);
  });

  test('the written config, TypeScript, YAML or JSON, reads back as exactly the imported journey', async () => {
    const r = importOf(har(crafted, TITLE), { name: TRICKY.join(' ') });
    const dir = tempDir('golive-har-');
    for (const file of ['golive.config.ts', 'golive.config.yaml', 'golive.config.json']) {
      writeFileSync(path.join(dir, file), configText(r, file));
      const { config } = await loadConfig({ cwd: dir, file });
      const [journey] = config.load.journeys!;
      assert.equal(journey!.name, r.journey.name, file);
      const [step] = journey!.steps;
      const imported = r.journey.steps[0]!;
      assert.deepEqual([step!.url, step!.headers, step!.body], [imported.url, imported.headers, imported.body], file);
    }
  });
});

test('golive har import: a value with a lone surrogate is not offered (it cannot be percent-encoded), not a crash', () => {
  const lone: E[] = [
    { url: `${APP}/a`, at: 0, mime: 'application/json', text: '{"t":"\\ud800abcdefgh","u":"ok-value-1"}' },
    { url: `${APP}/b?u=ok-value-1`, at: 100, reqHeaders: { 'x-t': '\ud800abcdefgh' } },
  ];
  const r = importOf(har(lone));
  assert.deepEqual(
    r.variables.map((v) => v.name),
    ['u'],
  );
  assert.equal(r.journey.steps[1]!.headers?.['x-t'], '\ud800abcdefgh');
});

describe('golive har import: a long recording', () => {
  /** A bearer token, then `calls` list pages, each answering 10 items and the cursor the next page sends. */
  function apiSession(calls: number): E[] {
    const token = 'tok-0123456789abcdef';
    const entries: E[] = [{ method: 'POST', url: `${APP}/api/token`, at: 0, mime: 'application/json', text: JSON.stringify({ token }) }];
    for (let i = 0; i < calls; i++) {
      const items = Array.from({ length: 10 }, (_, k) => ({ id: `item-${i}-${k}-a1b2c3`, name: `name ${i} ${k} d4e5f6` }));
      entries.push({
        url: `${APP}/api/items?cursor=${i === 0 ? 'start' : `cur-${i - 1}-abcdef`}&page=${i}`,
        at: 100 + i * 100,
        reqHeaders: { authorization: `Bearer ${token}`, accept: 'application/json' },
        mime: 'application/json',
        text: JSON.stringify({ cursor: `cur-${i}-abcdef`, items }),
      });
    }
    return entries;
  }

  test('correlation work grows with the recording, not with its square', () => {
    const comparisons = (calls: number): number => {
      const work = { comparisons: 0 };
      const progress: number[] = [];
      const r = importOf(har(apiSession(calls)), { work, onProgress: (done, total) => progress.push(done / total) });
      assert.equal(progress.length, calls + 1, 'progress after each step');
      assert.equal(progress.at(-1), 1);
      // The token, then each page's cursor in the next page.
      assert.equal(r.variables.length, calls);
      assert.equal(r.journey.steps[calls]!.url, `/api/items?cursor={{vars.cursor_${calls - 1}|url}}&page=${calls - 1}`);
      return work.comparisons;
    };
    const small = comparisons(100);
    const large = comparisons(400);
    // Linear work is 4× for 4× the calls; comparing every request with every earlier value is 16×.
    assert.ok(large / small < 6, `100 calls: ${small} comparisons, 400 calls: ${large} (${(large / small).toFixed(1)}×)`);
  });
});
