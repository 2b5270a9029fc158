/**
 * The local platform's Service behaves like kube-proxy: each TCP connection is pinned to one ready replica
 * until one side closes it; a replica that dies closes its connections; with no ready replica new
 * connections are refused; a lost machine's connections go silent. And what that means for an app: one
 * that never closes its keep-alive connections on SIGTERM fails app-update behind a Service, and passes
 * behind an ingress that balances each request and retries.
 */
import assert from 'node:assert/strict';
import { isUsageDetails } from '../../src/model/result.js';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import { ServiceProxy } from '../../src/platforms/local/service-proxy.js';
import { run } from '../../src/run/run.js';
import { lossyApp } from '../helpers/local-app.js';

interface Upstream {
  id: string;
  port: number;
  server: http.Server;
  seen: number;
}

async function upstream(id: string): Promise<Upstream> {
  const u: Upstream = {
    id,
    port: 0,
    server: http.createServer((_q, s) => {
      u.seen++;
      s.end(id);
    }),
    seen: 0,
  };
  await new Promise<void>((r) => u.server.listen(0, '127.0.0.1', r));
  u.port = (u.server.address() as AddressInfo).port;
  return u;
}

/** GET / over `agent`: the body (the upstream's id), or the error code. */
function get(port: number, agent: http.Agent, timeoutMs = 3000): Promise<string> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', agent, timeout: timeoutMs }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve(body));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

/** A Service in front of fresh upstreams `ids`, the first one in rotation, and a keep-alive agent pinned to it. */
async function withService(
  ids: string[],
  body: (t: { svc: ServiceProxy; port: number; ups: Upstream[]; keepAlive: http.Agent }) => Promise<void>,
): Promise<void> {
  const ups = await Promise.all(ids.map(upstream));
  const svc = new ServiceProxy();
  const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const port = await svc.listen(0);
    await svc.setUpstreams([ups[0]!]);
    assert.equal(await get(port, keepAlive), ids[0]);
    await body({ svc, port, ups, keepAlive });
  } finally {
    keepAlive.destroy();
    await svc.close();
    for (const u of ups) u.server.close();
  }
}

describe('the local Service, as kube-proxy', () => {
  test('a keep-alive connection stays with its replica after the replica leaves the endpoints; new connections do not', async () => {
    await withService(['a', 'b'], async ({ svc, port, ups, keepAlive }) => {
      await svc.setUpstreams([ups[1]!]);
      assert.equal(await get(port, new http.Agent({ keepAlive: false })), 'b', 'a new connection goes to b');
      for (let i = 0; i < 5; i++) assert.equal(await get(port, keepAlive), 'a', 'the old connection is still pinned to a');
    });
  });

  test('a replica that dies closes its connections; with no ready replica a new connection is refused', async () => {
    await withService(['a', 'b'], async ({ svc, port, ups, keepAlive }) => {
      const closed = new Promise<void>((resolve) => Object.values(keepAlive.freeSockets)[0]![0]!.once('close', () => resolve()));
      ups[0]!.server.closeAllConnections();
      await closed;
      await svc.setUpstreams([]);
      assert.equal(await get(port, new http.Agent()), 'ECONNREFUSED');
      await svc.setUpstreams([ups[1]!]);
      assert.equal(await get(port, new http.Agent()), 'b');
    });
  });

  test("a lost machine's connections go silent: a request times out instead of failing fast", async () => {
    await withService(['a'], async ({ svc, port, ups, keepAlive }) => {
      await svc.lose(['a']);
      ups[0]!.server.closeAllConnections();
      assert.equal(await get(port, keepAlive, 300), 'TIMEOUT', 'the pinned connection gets no answer');
      assert.equal(await get(port, new http.Agent(), 300), 'TIMEOUT', 'nor does a new one sent to the lost replica');
    });
  });
});

describe('what a Service means for an app that keeps its keep-alive connections open on SIGTERM', () => {
  async function appUpdate(service: { kind: 'service' } | { kind: 'ingress'; retries: number }) {
    const { cwd, config } = lossyApp({
      name: 'linger',
      // POSTs: no client retries a non-idempotent request, so what fails is what users would see.
      load: { rate: 200, connections: 20, threads: 1, timeout: '3s', requests: [{ method: 'POST', url: '/', body: 'x' }] },
      replicas: 2,
      env: { SLOW_MS: '50', LINGER_MS: '1000' },
      readiness: { path: '/readyz', period: '100ms', failureThreshold: 1 },
      terminationGrace: '5s',
      service,
      drills: { 'app-update': { baseline: '1s', tail: '1s' } },
    });
    return (await run({ cwd, config })).result.drills[0]!;
  }

  test('behind a Service it fails app-update, and the finding says the app does not close its keep-alive connections', async () => {
    const d = await appUpdate({ kind: 'service' });
    assert.equal(d.passed, false);
    assert.ok(d.requests.failed > 0, JSON.stringify(d.requests.byOutcome));
    const f = d.findings.find((x) => x.id === 'shutdown');
    assert.ok(f, JSON.stringify(d.findings));
    assert.match(f.message, /the app does not finish requests in flight on SIGTERM, or closes keep-alive connections under them/);
  });

  test('behind an ingress that balances each request it passes', async () => {
    const d = await appUpdate({ kind: 'ingress', retries: 1 });
    assert.equal(d.requests.failed, 0, JSON.stringify(d.requests.byOutcome));
    assert.equal(d.passed, true);
  });
});

describe('replica resource usage on the local platform', () => {
  test('the capacity drill samples each replica from /proc and judges it against app.resources', async () => {
    const { cwd, config } = lossyApp({
      name: 'usage',
      load: { rate: 20, threads: 1, requests: [{ url: '/' }] },
      env: { BURN: '1' },
      readiness: { path: '/readyz' },
      resources: { limits: { cpu: '500m', memory: '1Gi' } },
      drills: { capacity: { duration: '3s', objectives: { maxCpuOfLimit: 0.8, maxMemoryOfLimit: 0.5 } } },
    });
    const outcome = await run({ cwd, config });
    const d = outcome.result.drills[0]!;
    const u = d.capacity;
    assert.ok(isUsageDetails(u) && u.cpu && u.memory, JSON.stringify(u));
    assert.ok(u.cpu.peakMillicores >= 400 && u.cpu.peakMillicores <= 1100, `peak ${u.cpu.peakMillicores}m for a replica burning ~80 % of a core`);
    assert.ok(u.memory.peakMiB > 10 && u.memory.peakMiB < 500, `RSS ${u.memory.peakMiB} MiB`);
    assert.equal(u.replicas?.length, 1);
    const cpu = d.objectives.find((o) => o.name === 'CPU of limit')!;
    const mem = d.objectives.find((o) => o.name === 'memory of limit')!;
    assert.equal(cpu.passed, false, cpu.measured);
    assert.equal(mem.passed, true, mem.measured);
    // What shared the machine, each second on the drill's clock, and what limited the load: the replica
    // burning 80 % of a core against a 500m limit.
    assert.ok(u.series && u.series.length >= 2, JSON.stringify(u.series));
    assert.ok(
      u.series.every((s, i) => s.atMs > 0 && s.atMs <= 5000 && (i === 0 || s.atMs > u.series![i - 1]!.atMs)),
      JSON.stringify(u.series.map((s) => s.atMs)),
    );
    assert.ok(u.service && u.service.peakMillicores >= 0 && u.service.peakMillicores < 1000, JSON.stringify(u.service));
    assert.match(u.service.thread, /Service's proxy thread/);
    assert.ok(u.golive && u.golive.peakMillicores > 0, JSON.stringify(u.golive));
    assert.ok(u.machine && u.machine.peakBusy > 0 && u.machine.peakBusy <= 1, JSON.stringify(u.machine));
    assert.ok(u.saturation?.limitedBy.includes('application'), JSON.stringify(u.saturation));
    assert.ok(!u.saturation!.limitedBy.includes('service'), JSON.stringify(u.saturation));
    // The same samples in the series model Prometheus queries use: a local run reads like a cluster run.
    const replicasCpu = d.observed?.find((q) => q.name === 'replicas CPU');
    assert.equal(replicasCpu?.source, 'local');
    assert.deepEqual(
      replicasCpu.series[0]!.t,
      u.series.map((s) => s.atMs),
    );
    assert.deepEqual(
      replicasCpu.series[0]!.v,
      u.series.map((s) => s.replicasMillicores),
    );
    assert.equal(replicasCpu.drill?.max, Math.max(...u.series.map((s) => s.replicasMillicores)));
    assert.deepEqual(
      d.observed!.map((q) => q.name),
      ['replicas CPU', 'replicas memory', 'Service CPU', 'golive CPU', 'machine busy'],
    );
  });
});
