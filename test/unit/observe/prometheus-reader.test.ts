/**
 * The Prometheus reader against servers of the test's own: one that accepts and never answers (the query's
 * timeout must fire, even after garbage collection), and one whose ratio divides by zero (+Inf must be judged).
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { test } from 'node:test';
import v8 from 'node:v8';
import vm from 'node:vm';
import { judgeSeries, parseSeriesObjective, type SeriesObjective } from '../../../src/analysis/series.js';
import { validateConfig } from '../../../src/config/load-config.js';
import { PrometheusReader } from '../../../src/observe/prometheus.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

function reader(url: string, timeoutMs?: number): PrometheusReader {
  const cfg = validateConfig(
    { target: { url: 'http://127.0.0.1:1' }, observe: { prometheus: { url, queries: [{ name: 'error ratio', query: 'errors/ok' }] } } },
    'inline',
  ).observe!.prometheus!;
  return new PrometheusReader(cfg, [{ name: 'error ratio', query: 'errors/ok' }], fetch, timeoutMs);
}

test('a Prometheus that accepts and never answers: each query times out (garbage collection does not lose the timer)', async () => {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => void sockets.add(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  const collect = setInterval(gc, 20);
  let deadline: NodeJS.Timeout | undefined;
  try {
    const read = reader(url, 300).read({ startEpochMs: Date.now() - 10_000, endEpochMs: Date.now() }, new AbortController().signal);
    const hung = new Promise<'hung'>((r) => (deadline = setTimeout(() => r('hung'), 20_000)));
    const result = await Promise.race([read, hung]);
    assert.notEqual(result, 'hung', 'the read hangs: the timeout never fired');
    assert.match((result as Awaited<typeof read>)[0]!.error!, /Prometheus unreachable: no answer within 0\.3 s/);
  } finally {
    clearTimeout(deadline);
    clearInterval(collect);
    for (const s of sockets) s.destroy();
    server.close();
  }
});

test("a ratio's division by zero (+Inf) fails max<0.5; NaN (0/0) fails any objective; both are kept in the series", async () => {
  const t0 = Math.floor(Date.now() / 1000) - 10;
  let values: [number, string][] = [];
  const server = http.createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: [{ metric: { job: 'web' }, values }] } }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  const objective = (text: string): SeriesObjective => parseSeriesObjective(text) as SeriesObjective;
  const read = async (): Promise<ReturnType<typeof judgeSeries>[]> => {
    const [q] = await reader(url).read({ startEpochMs: t0 * 1000, endEpochMs: (t0 + 10) * 1000 }, new AbortController().signal);
    return [judgeSeries(q!, objective('max<0.5')), judgeSeries(q!, objective('min>=0')), judgeSeries(q!, objective('last<1'))];
  };
  try {
    values = [
      [t0, '0.01'],
      [t0 + 1, '+Inf'],
      [t0 + 2, '0.02'],
    ];
    const [max, min, last] = await read();
    assert.deepEqual(max, { name: 'error ratio max', limit: 'max<0.5', measured: 'max=+Inf {job="web"}', passed: false, basis: '1 series' });
    assert.equal(min!.passed, true, 'min>=0 holds with an +Inf point');
    assert.equal(last!.passed, true);

    values = [
      [t0, '0.01'],
      [t0 + 1, 'NaN'],
    ];
    const [maxNaN, minNaN] = await read();
    assert.equal(maxNaN!.measured, 'max=NaN {job="web"}');
    assert.equal(maxNaN!.passed, false, 'NaN is never a pass');
    assert.equal(minNaN!.passed, false);

    const [q] = await reader(url).read({ startEpochMs: t0 * 1000, endEpochMs: (t0 + 10) * 1000 }, new AbortController().signal);
    assert.deepEqual(q!.series[0]!.nonFinite, { t: [1000], v: ['NaN'] }, 'kept apart, on the drill clock');
  } finally {
    server.close();
  }
});
