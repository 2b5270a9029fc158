/**
 * The local platform's Service behaves like kube-proxy: each TCP connection is pinned to one ready replica
 * until one side closes it; a replica that dies closes its connections; with no ready replica new
 * connections are refused; a lost machine's connections go silent. And what that means for an app: one
 * that never closes its keep-alive connections on SIGTERM fails app-update behind a Service, and passes
 * behind an ingress that balances each request and retries.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { ServiceProxy } from '../../src/platforms/local/service-proxy.js';
import { PACKAGE_ROOT } from '../../src/package-root.js';
import { run } from '../../src/run/run.js';
import type { GoliveConfigInput } from '../../src/config/schema.js';

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

/** Until `check` holds: the Service applies endpoint changes asynchronously, as kube-proxy does. */
async function eventually(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.fail('the Service did not apply the change');
}

describe('the local Service, as kube-proxy', () => {
  test('a keep-alive connection stays with its replica after the replica leaves the endpoints; new connections do not', async () => {
    const [a, b] = await Promise.all([upstream('a'), upstream('b')]);
    const svc = new ServiceProxy();
    const port = await svc.listen(0);
    try {
      svc.setUpstreams([a]);
      const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 1 });
      await eventually(async () => (await get(port, keepAlive)) === 'a');
      svc.setUpstreams([b]);
      await eventually(async () => (await get(port, new http.Agent({ keepAlive: false }))) === 'b');
      for (let i = 0; i < 5; i++) assert.equal(await get(port, keepAlive), 'a', 'the old connection is still pinned to a');
      keepAlive.destroy();
    } finally {
      await svc.close();
      a.server.close();
      b.server.close();
    }
  });

  test('a replica that dies closes its connections; with no ready replica a new connection is refused', async () => {
    const a = await upstream('a');
    const svc = new ServiceProxy();
    const port = await svc.listen(0);
    try {
      svc.setUpstreams([a]);
      const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 1 });
      await eventually(async () => (await get(port, keepAlive)) === 'a');
      const closed = new Promise<void>((resolve) => {
        const socket = Object.values(keepAlive.freeSockets)[0]![0]!;
        socket.once('close', () => resolve());
      });
      a.server.closeAllConnections();
      await closed;
      svc.setUpstreams([]);
      await eventually(async () => (await get(port, new http.Agent())) === 'ECONNREFUSED');
      const b = await upstream('b');
      svc.setUpstreams([b]);
      await eventually(async () => (await get(port, new http.Agent())) === 'b');
      b.server.close();
    } finally {
      await svc.close();
      a.server.close();
    }
  });

  test("a lost machine's connections go silent: a request times out instead of failing fast", async () => {
    const a = await upstream('a');
    const svc = new ServiceProxy();
    const port = await svc.listen(0);
    try {
      svc.setUpstreams([a]);
      const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 1 });
      await eventually(async () => (await get(port, keepAlive)) === 'a');
      await svc.lose(['a']);
      a.server.closeAllConnections();
      assert.equal(await get(port, keepAlive, 300), 'TIMEOUT', 'the pinned connection gets no answer');
      assert.equal(await get(port, new http.Agent(), 300), 'TIMEOUT', 'nor does a new one sent to the lost replica');
    } finally {
      await svc.close();
      a.server.close();
    }
  });
});

describe('what a Service means for an app that keeps its keep-alive connections open on SIGTERM', () => {
  const dirs: string[] = [];
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  const APP = path.join(PACKAGE_ROOT, 'test', 'fixtures', 'lossy-app.mjs');

  async function appUpdate(service: { kind: 'service' } | { kind: 'ingress'; retries: number }) {
    const cwd = mkdtempSync(path.join(tmpdir(), 'golive-service-'));
    dirs.push(cwd);
    const config: GoliveConfigInput = {
      name: 'linger',
      // POSTs: no client retries a non-idempotent request, so what fails is what users would see.
      load: { rate: 200, connections: 20, threads: 1, timeout: '3s', requests: [{ method: 'POST', url: '/', body: 'x' }] },
      platform: {
        kind: 'local',
        app: {
          command: `node ${APP}`,
          replicas: 2,
          env: { SLOW_MS: '50', LINGER_MS: '1000' },
          readiness: { path: '/readyz', period: '100ms', failureThreshold: 1 },
          terminationGrace: '5s',
        },
        cluster: { nodes: 2, zones: 2 },
        service,
      },
      output: { dir: path.join(cwd, 'results') },
      drills: { 'app-update': { baseline: '1s', tail: '1s' } },
    };
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
  const dirs: string[] = [];
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  test('the capacity drill samples each replica from /proc and judges it against app.resources', async () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'golive-usage-'));
    dirs.push(cwd);
    const app = path.join(PACKAGE_ROOT, 'test', 'fixtures', 'lossy-app.mjs');
    const outcome = await run({
      cwd,
      config: {
        name: 'usage',
        load: { rate: 20, threads: 1, requests: [{ url: '/' }] },
        platform: {
          kind: 'local',
          app: {
            command: `node ${app}`,
            replicas: 1,
            env: { BURN: '1' },
            readiness: { path: '/readyz' },
            resources: { limits: { cpu: '500m', memory: '1Gi' } },
          },
          cluster: { nodes: 1, zones: 1 },
        },
        output: { dir: path.join(cwd, 'results') },
        drills: { capacity: { duration: '3s', objectives: { maxCpuOfLimit: 0.8, maxMemoryOfLimit: 0.5 } } },
      },
    });
    const d = outcome.result.drills[0]!;
    const u = d.capacity;
    assert.ok(u?.kind === 'usage' && u.cpu && u.memory, JSON.stringify(u));
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
  });
});
