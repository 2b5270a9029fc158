#!/usr/bin/env node
// The golive demo app: a small JSON API with durable writes and a graceful shutdown, no dependencies.
// DEMO_ROLE picks what a replica is: `app` (the default: everything in one), or one component of a small
// shop — `front` (passes every request to the API at API_URL), `api` (the JSON API; items live in the
// store at STORE_URL), `store` (keeps the items in GOLIVE_DATA_DIR).
//   GET /            small JSON, a little CPU work
//   POST /items      appends the body to items.ndjson in GOLIVE_DATA_DIR, fsyncs, answers 201 {"id": n}
//   GET /items/:id   the stored item, or 404
//   GET /healthz     liveness;  GET /readyz  readiness (503 while shutting down)
//   GET /metrics     Prometheus text: requests served, requests in flight, and a gauge a test can set
//   PUT /test-gauge  sets demo_test_gauge to the number in the body (for tests of golive's Prometheus reads)
// SIGTERM: readiness fails first, then the server stops accepting, finishes in-flight requests and exits.
// DEMO_GRACEFUL=0 makes it exit at once instead, as many real apps do.
import { createHash } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';

const port = Number(process.env.PORT ?? 3000);
const role = process.env.DEMO_ROLE ?? 'app';
/** Where a front or an api sends what it does not answer itself, and how long it waits. */
const upstream = role === 'front' ? process.env.API_URL : role === 'api' ? process.env.STORE_URL : undefined;
const upstreamTimeoutMs = Number(process.env.DEMO_UPSTREAM_TIMEOUT_MS ?? 2000);
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
const graceful = process.env.DEMO_GRACEFUL !== '0';
let closing = false;
const drainMs = Number(process.env.DEMO_DRAIN_MS ?? 1500);
const closeIdleAfterMs = 1000;
const dataDir = process.env.GOLIVE_DATA_DIR ?? path.resolve('data');
const replica = process.env.GOLIVE_REPLICA ?? 'demo';
const revision = process.env.GOLIVE_REVISION ?? '1';
mkdirSync(dataDir, { recursive: true });
const itemsFile = path.join(dataDir, 'items.ndjson');

/** seq or id → item, loaded from the file: at start (a restored data dir is served as it was) and on a miss
 * (replicas share the data dir, so another replica may have written it). */
const items = new Map();
function loadItems() {
  if (!existsSync(itemsFile)) return;
  for (const line of readFileSync(itemsFile, 'utf8').split('\n')) {
    if (!line) continue;
    try {
      const item = JSON.parse(line);
      items.set(`id:${item.id}`, item);
      if (item.body && item.body.seq !== undefined) items.set(`seq:${item.body.seq}`, item);
    } catch {
      // a torn last line from a crash mid-write: that write was never acknowledged
    }
  }
}
loadItems();
let nextId = Date.now() * 1000 + Math.floor(Math.random() * 1000); // unique across replicas sharing the file
let shuttingDown = false;

function send(res, status, body) {
  const text = JSON.stringify(body);
  // Once stopping, each response closes its keep-alive connection: behind a Service (kube-proxy) a client's
  // connection stays on this replica until one side closes it, so the app must be the one that does.
  const headers = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...(closing ? { connection: 'close' } : {}) };
  res.writeHead(status, headers);
  res.end(text);
}

function storeItem(body) {
  const item = { id: nextId++, at: Date.now(), body };
  const fd = openSync(itemsFile, 'a');
  try {
    writeSync(fd, `${JSON.stringify(item)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  items.set(`id:${item.id}`, item);
  if (body && body.seq !== undefined) items.set(`seq:${body.seq}`, item);
  return item;
}

let requestsTotal = 0;
let inFlight = 0;
let testGauge = 0;

function metrics() {
  const l = `{replica="${replica}",revision="${revision}"}`;
  return [
    '# HELP demo_requests_total Requests answered.',
    '# TYPE demo_requests_total counter',
    `demo_requests_total${l} ${requestsTotal}`,
    '# HELP demo_in_flight Requests being served now.',
    '# TYPE demo_in_flight gauge',
    `demo_in_flight${l} ${inFlight}`,
    '# HELP demo_test_gauge A value a test sets with PUT /test-gauge.',
    '# TYPE demo_test_gauge gauge',
    `demo_test_gauge${l} ${testGauge}`,
    '',
  ].join('\n');
}

/**
 * Passes the request on to the next component (its Service), and its answer back; a dead or silent one is a
 * 502 or 504. A request without a body that fails on a reused keep-alive connection before any answer (the
 * upstream closed it as it drained) goes once more on a new one, as nginx's proxy_next_upstream does.
 */
function forward(req, res) {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => send1(Buffer.concat(chunks), true));
  const send1 = (body, mayRetry) => {
    const target = new URL(req.url ?? '/', upstream);
    const out = http.request(target, { method: req.method, headers: { ...req.headers, host: target.host }, agent, timeout: upstreamTimeoutMs }, (answer) => {
      const headers = { ...answer.headers, ...(closing ? { connection: 'close' } : {}) };
      res.writeHead(answer.statusCode ?? 502, headers);
      answer.pipe(res);
    });
    out.on('timeout', () => out.destroy(new Error('timeout')));
    out.on('error', (err) => {
      if (res.headersSent) return res.destroy();
      if (mayRetry && out.reusedSocket && body.length === 0 && err.message !== 'timeout') return send1(body, false);
      send(res, err.message === 'timeout' ? 504 : 502, { error: `${role}: ${upstream} ${err.message}` });
    });
    out.end(body);
  };
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://demo');
  inFlight++;
  res.once('close', () => {
    inFlight--;
    requestsTotal++;
  });
  if (role === 'front' && !['/healthz', '/readyz', '/metrics'].includes(url.pathname)) return forward(req, res);
  if (role === 'api' && url.pathname.startsWith('/items')) return forward(req, res);
  if (req.method === 'GET' && url.pathname === '/metrics') {
    const text = metrics();
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4', 'content-length': Buffer.byteLength(text) });
    return res.end(text);
  }
  if (req.method === 'PUT' && url.pathname === '/test-gauge') {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => {
      if (body.length < 64) body += chunk;
    });
    req.on('end', () => {
      const value = Number(body.trim());
      if (!Number.isFinite(value)) return send(res, 400, { error: 'body must be a number' });
      testGauge = value;
      send(res, 200, { testGauge });
    });
    return undefined;
  }
  if (req.method === 'GET' && url.pathname === '/') {
    const digest = createHash('sha256').update(`${replica}:${Date.now()}`).digest('hex').slice(0, 12);
    return send(res, 200, { ok: true, role, replica, revision, digest });
  }
  if (req.method === 'GET' && url.pathname === '/healthz') return send(res, 200, { ok: true });
  if (req.method === 'GET' && url.pathname === '/readyz') return send(res, shuttingDown ? 503 : 200, { ready: !shuttingDown });
  if (req.method === 'POST' && url.pathname === '/items') {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      let parsed;
      try {
        parsed = body ? JSON.parse(body) : {};
      } catch {
        return send(res, 400, { error: 'body must be JSON' });
      }
      const item = storeItem(parsed);
      send(res, 201, { id: item.id });
    });
    return undefined;
  }
  const m = /^\/items\/([^/]+)$/.exec(url.pathname);
  if (req.method === 'GET' && m) {
    // /items/:key finds an item by the seq it was written with (canary writes), or by its id.
    const find = () => items.get(`seq:${m[1]}`) ?? items.get(`id:${m[1]}`);
    let item = find();
    if (!item) {
      loadItems();
      item = find();
    }
    return item ? send(res, 200, item) : send(res, 404, { error: 'not found' });
  }
  return send(res, 404, { error: 'not found' });
});
server.keepAliveTimeout = 65_000;

server.listen(port, () => {
  process.stdout.write(
    `demo ${role} ${replica} (revision ${revision}) listening on ${port}${upstream ? `, forwarding to ${upstream}` : `, data in ${dataDir}`}\n`,
  );
});

process.on('SIGTERM', () => {
  if (!graceful) process.exit(0);
  if (shuttingDown) return;
  shuttingDown = true;
  // Readiness fails first so the load balancer stops sending new connections. Then every response says
  // Connection: close, so a busy keep-alive connection is closed cleanly after its next answer (the client
  // knows not to reuse it); only a second later are the connections still idle closed and accepting
  // stopped (server.close() closes idle connections too). Closing an idle connection races a request the
  // client may be sending on it at that instant: the second keeps that race to connections really idle.
  setTimeout(() => {
    closing = true;
    setTimeout(() => {
      server.close(() => process.exit(0));
      server.closeIdleConnections();
      setTimeout(() => process.exit(0), 10_000).unref();
    }, closeIdleAfterMs);
  }, drainMs);
});
