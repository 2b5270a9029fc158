// `golive har import` on generated recordings of N API calls: a sign-in (hidden CSRF field, a redirect, a
// cookie, a bearer token), then calls that each send the token back and a value the previous response gave
// (a list cursor, an item id); a list answers 20 items of 5 values each. Wall time of the whole
// command (`golive har import`, startup included), the sizes interleaved, median of the repetitions.
// `--golive PATH` times another build (another checkout's bin/golive.js) on the same recordings.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { benchTempDir, GOLIVE, median } from './lib.js';

const ORIGIN = 'https://shop.example';
const T0 = Date.parse('2026-12-01T10:00:00Z');

/** A stable pseudo-random hex string for a label: the same recording every run. */
const hex = (label, n = 16) => createHash('sha256').update(label).digest('hex').slice(0, n);

function entry(at, method, url, { headers = {}, body, status = 200, resHeaders = [], mime = 'application/json', text = '' } = {}) {
  return {
    startedDateTime: new Date(T0 + at).toISOString(),
    time: 20,
    request: {
      method,
      url: `${ORIGIN}${url}`,
      headers: Object.entries({ 'user-agent': 'Mozilla/5.0 (bench)', accept: '*/*', referer: `${ORIGIN}/app`, ...headers }).map(([name, value]) => ({
        name,
        value,
      })),
      ...(body ? { postData: body } : {}),
    },
    response: { status, headers: resHeaders.map(([name, value]) => ({ name, value })), content: { mimeType: mime, text } },
  };
}

/** A recording of a sign-in and `calls` API calls, as Chrome saves it (HAR 1.2). */
export function generateHar(calls) {
  const csrf = `csrf-${hex('csrf', 24)}`;
  const token = `tok-${hex('token', 40)}`;
  const entries = [
    entry(0, 'GET', '/login', { mime: 'text/html', text: `<form><input type="hidden" name="csrf" value="${csrf}"><input name="user"></form>` }),
    entry(1000, 'POST', '/login', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: { mimeType: 'application/x-www-form-urlencoded', text: `csrf=${csrf}&user=ann` },
      status: 302,
      resHeaders: [
        ['Location', '/app'],
        ['Set-Cookie', `sid=${hex('sid', 32)}; Path=/; HttpOnly`],
      ],
      mime: 'text/html',
    }),
    entry(1100, 'GET', '/app', { mime: 'text/html', text: '<html><body>app</body></html>' }),
    entry(1200, 'POST', '/api/token', { text: JSON.stringify({ token, expiresIn: 3600 }) }),
  ];
  let cursor = 'start';
  let itemId = 'none';
  for (let i = 0; i < calls; i++) {
    const at = 2000 + i * 100;
    const auth = { authorization: `Bearer ${token}` };
    if (i % 2 === 0) {
      const items = Array.from({ length: 20 }, (_, k) => ({
        id: `item-${i}-${k}-${hex(`item${i}.${k}`, 12)}`,
        name: `Item ${i}.${k} ${hex(`name${i}.${k}`, 8)}`,
        sku: `SKU-${hex(`sku${i}.${k}`, 10)}`,
        createdAt: new Date(T0 - (i * 5 + k) * 60_000).toISOString(),
        updatedBy: `user-${hex(`user${i}.${k}`, 8)}`,
      }));
      const text = JSON.stringify({ items, cursor: `cur-${hex(`cursor${i}`, 20)}`, etag: `W/${hex(`etag${i}`, 16)}`, page: i });
      entries.push(entry(at, 'GET', `/api/items?cursor=${cursor}&page=${i}`, { headers: auth, text }));
      cursor = `cur-${hex(`cursor${i}`, 20)}`;
      itemId = items[0].id;
    } else {
      const text = JSON.stringify({ cartId: `cart-${hex('cart', 12)}`, lineId: `line-${hex(`line${i}`, 12)}`, total: 1_000_000 + i });
      entries.push(
        entry(at, 'POST', '/api/cart/items', {
          headers: { ...auth, 'content-type': 'application/json' },
          body: { mimeType: 'application/json', text: JSON.stringify({ itemId, qty: 1 }) },
          status: 201,
          text,
        }),
      );
    }
  }
  return { log: { version: '1.2', creator: { name: 'golive bench' }, pages: [{ title: 'Shop' }], entries } };
}

function importOnce(golive, dir, file) {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [golive, 'har', 'import', file, '--out', 'out.yaml', '--force'], { cwd: dir, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`golive har import ${file} exited ${r.status}: ${r.stderr}`);
  return { ms, correlated: Number(/correlated (\d+) value/.exec(r.stdout)?.[1] ?? 0) };
}

export function harImportBench({ calls = [250, 500, 1000, 2000], reps = 3, golive = GOLIVE } = {}) {
  const dir = benchTempDir('golive-bench-har-');
  const files = calls.map((n) => {
    const file = path.join(dir, `calls-${n}.har`);
    writeFileSync(file, JSON.stringify(generateHar(n)));
    return file;
  });
  const samples = calls.map(() => []);
  let correlated = calls.map(() => 0);
  for (let r = 0; r < reps; r++) {
    files.forEach((file, i) => {
      const once = importOnce(golive, dir, file);
      samples[i].push(once.ms);
      correlated[i] = once.correlated;
    });
  }
  return calls.map((n, i) => ({ calls: n, ms: median(samples[i]), runs: samples[i], correlated: correlated[i] }));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: { calls: { type: 'string', default: '250,500,1000,2000' }, reps: { type: 'string', default: '3' }, golive: { type: 'string', default: GOLIVE } },
  });
  const rows = harImportBench({ calls: values.calls.split(',').map(Number), reps: Number(values.reps), golive: path.resolve(values.golive) });
  console.log(`golive har import (${values.golive}), median of ${values.reps}, sizes interleaved`);
  console.log('| API calls | wall time (median) | runs | vs previous size | values correlated |');
  console.log('|---|---|---|---|---|');
  rows.forEach((r, i) => {
    const ratio = i === 0 ? '' : `${(r.ms / rows[i - 1].ms).toFixed(2)}× for ${(r.calls / rows[i - 1].calls).toFixed(1)}× the calls`;
    console.log(`| ${r.calls} | ${(r.ms / 1000).toFixed(2)} s | ${r.runs.map((ms) => (ms / 1000).toFixed(2)).join(' / ')} | ${ratio} | ${r.correlated} |`);
  });
}
