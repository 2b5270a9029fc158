/**
 * A shared recording is text from someone else: `{{env.HOME}}`, `{{vars.x}}` or `{{seq}}` recorded in a URL,
 * a header or a body is sent back as that text, never as the runner's environment, while the values the
 * import correlated still come from each journey's own responses.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { golive, tempDir } from '../helpers/cli.js';

interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

const HOME = '/home/very-secret-home';
const SECRET = 'runner-secret-token-value';
const LITERAL = '{{env.HOME}} {{vars.x}} {{seq}} {{env.GOLIVE_SECRET}}';
const RECORDED_TOKEN = 'tok-recorded-0123456789';

describe('har import: recorded {{…}} is literal text', () => {
  let server: http.Server;
  let origin = '';
  const received: Received[] = [];
  before(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (d: string) => (body += d.length + body.length < 65_536 ? d : ''));
      req.on('end', () => {
        received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ token: `tok-fresh-${received.length}-abcdef` }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  function recording(): string {
    const at = (ms: number): string => new Date(Date.parse('2026-12-01T10:00:00Z') + ms).toISOString();
    return JSON.stringify({
      log: {
        version: '1.2',
        pages: [{ title: 'Literal' }],
        entries: [
          {
            startedDateTime: at(0),
            time: 5,
            request: {
              method: 'GET',
              url: `${origin}/p/{{env.HOME}}/{{seq}}?q={{env.HOME}}&v={{vars.x}}&s={{seq}}`,
              headers: [
                { name: 'x-note', value: LITERAL },
                { name: 'authorization', value: 'Bearer {{env.GOLIVE_SECRET}}' },
              ],
            },
            response: { status: 200, headers: [], content: { mimeType: 'application/json', text: JSON.stringify({ token: RECORDED_TOKEN }) } },
          },
          {
            startedDateTime: at(100),
            time: 5,
            request: {
              method: 'POST',
              url: `${origin}/submit`,
              headers: [
                { name: 'content-type', value: 'application/json' },
                { name: 'x-token', value: `{{{${RECORDED_TOKEN}}}}` },
              ],
              postData: { mimeType: 'application/json', text: JSON.stringify({ note: LITERAL, t: `{${RECORDED_TOKEN}` }) },
            },
            response: { status: 200, headers: [], content: { mimeType: 'application/json', text: '{}' } },
          },
        ],
      },
    });
  }

  test('imported and replayed: the server receives the recorded text, the fresh token, and no environment value', async () => {
    const cwd = tempDir('golive-har-literal-');
    writeFileSync(path.join(cwd, 'session.har'), recording());
    const imported = await golive(['har', 'import', 'session.har', '--out', 'golive.config.yaml'], { cwd });
    assert.equal(imported.code, 0, imported.stdout + imported.stderr);
    assert.match(imported.stdout, /token +JSON \$\.token of step 1 \(GET \/p\/[^)]*\) → step 2 \(POST \/submit\)/);
    assert.doesNotMatch(readFileSync(path.join(cwd, 'golive.config.yaml'), 'utf8'), /very-secret|runner-secret/);

    const run = await golive(['run', '-c', 'golive.config.yaml', '--rate', '2', '-d', '1s'], { cwd, env: { HOME, GOLIVE_SECRET: SECRET } });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const gets = received.filter((r) => r.method === 'GET');
    const posts = received.filter((r) => r.method === 'POST');
    assert.ok(gets.length >= 2 && posts.length === gets.length, `${gets.length} GETs, ${posts.length} POSTs`);
    for (const r of received) assert.ok(!JSON.stringify(r).includes('very-secret') && !JSON.stringify(r).includes(SECRET), JSON.stringify(r));
    for (const g of gets) {
      // The path as the browser sent it (a URL's path percent-encodes braces), the query as recorded.
      assert.equal(g.url, '/p/%7B%7Benv.HOME%7D%7D/%7B%7Bseq%7D%7D?q={{env.HOME}}&v={{vars.x}}&s={{seq}}');
      assert.equal(g.headers['x-note'], LITERAL);
      assert.equal(g.headers['authorization'], 'Bearer {{env.GOLIVE_SECRET}}');
    }
    for (const p of posts) {
      const body = JSON.parse(p.body) as { note: string; t: string };
      assert.equal(body.note, LITERAL);
      assert.match(body.t, /^\{tok-fresh-\d+-abcdef$/, 'the correlated token is still live, beside a literal brace');
      assert.match(String(p.headers['x-token']), /^\{\{\{tok-fresh-\d+-abcdef\}\}\}$/);
    }
  });

  test('a crafted title, cookie and header names: the summary in the terminal is inert', async () => {
    const cwd = tempDir('golive-har-literal-');
    const ESC = '\u001b[31m\u0007\u009b2j';
    const at = (ms: number): string => new Date(Date.parse('2026-12-01T10:00:00Z') + ms).toISOString();
    const entry = (ms: number, url: string, request: object, response: object): object => ({
      startedDateTime: at(ms),
      time: 5,
      request: { method: 'GET', url: `${origin}${url}`, headers: [], ...request },
      response: { status: 200, headers: [], content: { mimeType: 'text/plain', text: '' }, ...response },
    });
    const har = {
      log: {
        pages: [{ title: `Shop${ESC}` }],
        entries: [
          entry(
            0,
            '/a',
            { headers: [{ name: 'cookie', value: `old${ESC}=1` }] },
            { headers: [{ name: `Set-Cookie`, value: `sid${ESC}=session-value-1; Path=/` }] },
          ),
          entry(100, '/b', { headers: [{ name: 'x-sid', value: 'session-value-1' }] }, { headers: [{ name: `x-auth${ESC}`, value: 'auth-value-22' }] }),
          entry(200, '/c', { headers: [{ name: 'x-auth', value: 'auth-value-22' }] }, {}),
        ],
      },
    };
    writeFileSync(path.join(cwd, 'session.har'), JSON.stringify(har));
    const r = await golive(['har', 'import', 'session.har', '--out', 'golive.config.json'], { cwd });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(r.stdout, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    assert.match(r.stdout, /journey "Shop\\x1b\[31m\\x07\\x9b2j"/);
    assert.match(r.stdout, /Set-Cookie sid\\x1b\[31m\\x07\\x9b2j of step 1/);
    assert.match(r.stdout, /header x-auth\\x1b\[31m\\x07\\x9b2j of step 2/);
    assert.match(r.stdout, /cookie old\\x1b\[31m\\x07\\x9b2j was set before the recording began/);
  });
});
