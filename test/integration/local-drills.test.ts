import assert from 'node:assert/strict';
import type { DisasterRecoveryDetails } from '../../src/drills/disaster-recovery.js';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { readJournal } from '../../src/safety/journal.js';
import { createDemoWorkspace, localConfig, processesOfRun, runDrills } from '../helpers/local-app.js';

const short = { baseline: '1s', tail: '1s' };

describe('drills on the local platform, against the demo app', () => {
  test('app-update, rolling with graceful shutdown: no failed request; every process undone afterwards', async () => {
    const ws = createDemoWorkspace();
    try {
      const {
        drills: [d],
        dir,
      } = await runDrills(ws.dir, localConfig(ws.dir, { 'app-update': { ...short, objectives: { maxDowntime: '0s', maxFailedRequests: 0 } } }));
      assert.equal(d!.error, undefined);
      assert.equal(d!.requests.failed, 0, JSON.stringify(d!.requests.byOutcome));
      assert.ok(d!.requests.total > 400);
      assert.equal(d!.passed, true);
      const kinds: string[] = d!.events.map((e) => e.kind);
      for (const k of ['rollout.started', 'replica.starting', 'replica.ready', 'replica.terminating', 'replica.exited', 'rollout.completed'])
        assert.ok(kinds.includes(k), `${k} in ${kinds.join(',')}`);
      assert.deepEqual(
        d!.phases.map((p) => p.name),
        ['baseline', 'disruption', 'recovery', 'tail'],
      );
      const journal = readJournal(path.join(dir, 'journal.json'))!;
      assert.ok(journal.entries.length >= 4);
      assert.deepEqual(
        journal.entries.filter((e) => !e.undone),
        [],
      );
      assert.deepEqual(processesOfRun(dir), []);
    } finally {
      ws.remove();
    }
  });

  test('app-update with Recreate and no graceful shutdown: an outage window holding the replica events', async () => {
    const ws = createDemoWorkspace();
    try {
      const {
        drills: [d],
      } = await runDrills(ws.dir, localConfig(ws.dir, { 'app-update': { ...short, objectives: { maxDowntime: '0s' } } }, { naive: true, replicas: 1 }));
      assert.equal(d!.passed, false);
      assert.ok(d!.downtime.totalMs > 0);
      const w = d!.downtime.windows[0]!;
      assert.ok(w.failed >= 2);
      assert.ok(
        w.events.some((e) => e.kind === 'rollout.started' || e.kind.startsWith('replica.')),
        JSON.stringify(w.events),
      );
      assert.deepEqual(
        d!.objectives.filter((o) => !o.default).map((o) => [o.name, o.passed]),
        [['downtime', false]],
      );
      // No error objective was set: app-update's default (no failed request) judges the errors too.
      assert.deepEqual(
        d!.objectives.filter((o) => o.default).map((o) => [o.name, o.passed]),
        [
          ['failed requests', false],
          ['requests answered', true],
        ],
      );
    } finally {
      ws.remove();
    }
  });

  test('node-drain honours the disruption budget: replacement first, no failed request, nodes uncordoned', async () => {
    const ws = createDemoWorkspace();
    try {
      const {
        drills: [d],
      } = await runDrills(ws.dir, localConfig(ws.dir, { 'node-drain': { ...short, objectives: { maxFailedRequests: 0 } } }, { replicas: 2, budget: 2 }));
      assert.equal(d!.requests.failed, 0, JSON.stringify(d!.downtime.windows));
      const kinds: string[] = d!.events.map((e) => e.kind);
      assert.equal(kinds.filter((k) => k === 'node.cordoned').length, 2);
      assert.equal(kinds.filter((k) => k === 'node.uncordoned').length, 2);
      assert.equal(kinds.filter((k) => k === 'eviction.blocked').length, 2, 'minAvailable = replicas: each eviction waits for its replacement');
    } finally {
      ws.remove();
    }
  });

  test("each drill starts from the steady state: a zone-outage after a node-drain loses one replica's share, and both say where replicas ran", async () => {
    const ws = createDemoWorkspace();
    try {
      const { drills } = await runDrills(
        ws.dir,
        localConfig(ws.dir, { 'node-drain': { ...short, reboot: { delay: '200ms' } }, 'zone-outage': { ...short } }, { replicas: 3, budget: 2 }),
      );
      const [drain, zone] = drills;
      assert.equal(drain!.error, undefined);
      assert.equal(zone!.error, undefined);
      const even = { 'zone-a': 1, 'zone-b': 1, 'zone-c': 1 };
      assert.deepEqual(drain!.placement?.byZone, even);
      assert.deepEqual(zone!.placement?.byZone, even, "the drain's leftovers were spread again before the zone-outage");
      assert.equal(zone!.placement?.skew, undefined);
      const details = zone!.capacity;
      assert.ok(details?.kind === 'zone-outage');
      assert.equal(details.replicasLost, 1);
    } finally {
      ws.remove();
    }
  });

  test('zone-outage: the zone with the most replicas is lost, replaced after the detection delay, then restored', async () => {
    const ws = createDemoWorkspace();
    try {
      const {
        drills: [d],
      } = await runDrills(ws.dir, withNewConnections(localConfig(ws.dir, { 'zone-outage': { ...short } }, { replicas: 3 })));
      assert.equal(d!.error, undefined);
      const lost = d!.events.find((e) => e.kind === 'zone.lost')!;
      const detected = d!.events.find((e) => e.kind === 'zone.detected')!;
      assert.ok(detected.atMs - lost.atMs >= 1000, 'replacements wait for the detection delay');
      assert.equal(d!.events.filter((e) => e.kind === 'zone.restored').length, 1, 'the zone is restored once');
      assert.ok(d!.requests.failed > 0, 'requests sent to the lost zone before detection fail');
      assert.equal(d!.downtime.totalMs < 200, true, `the other zones carried the load: downtime ${d!.downtime.totalMs} ms`);
      assert.deepEqual((d!.capacity as unknown as { replicasLost: number }).replicasLost, 1);
    } finally {
      ws.remove();
    }
  });

  test('disaster-recovery: the lost writes are exactly those acknowledged after the snapshot', async () => {
    const ws = createDemoWorkspace();
    try {
      const {
        drills: [d],
      } = await runDrills(
        ws.dir,
        localConfig(ws.dir, { 'disaster-recovery': { ...short, afterBackup: '1500ms', canary: { rate: 20 }, objectives: { maxRecoveryPoint: '5s' } } }),
      );
      assert.equal(d!.error, undefined);
      const r = d!.recovery!;
      const details = d!.capacity as DisasterRecoveryDetails;
      assert.equal(details.kind, 'disaster-recovery');
      const { ackedAfterBackup: after, ackedDuringBackup: during } = details;
      assert.ok(r.ackedWrites >= 40, `${r.ackedWrites} acknowledged`);
      assert.ok(after >= 20, `${after} acknowledged after the backup`);
      // Every write acknowledged after the snapshot completed is lost; one acknowledged while it was copied may be in it.
      assert.ok(r.lostWrites >= after && r.lostWrites <= after + during, `${r.lostWrites} lost; ${after} acknowledged after the snapshot, ${during} during it`);
      assert.ok(r.pointMs !== null && Math.abs(r.pointMs - 1500) < 300, `recovery point ${r.pointMs} ms ≈ the 1.5 s between backup and disaster`);
      assert.ok(r.timeMs !== null && r.timeMs > 0);
    } finally {
      ws.remove();
    }
  });

  test('redeploy: a failing build is the drill failing (judged, exit 1), with its last lines once; caches are cold by default', async () => {
    const ws = createDemoWorkspace();
    try {
      const cold = 'test "$HOME" != "' + process.env['HOME'] + '" && test -n "$npm_config_cache" && test ! -e "$npm_config_cache" && test -n "$PIP_CACHE_DIR"';
      const ok = await runDrills(ws.dir, localConfig(ws.dir, { redeploy: { ...short, repo: ws.dir, build: cold, objectives: { maxSetupTime: '30s' } } }));
      assert.equal(ok.drills[0]!.error, undefined, 'the build saw empty caches and a fresh HOME');
      assert.deepEqual(ok.drills[0]!.capacity, { kind: 'redeploy', coldCaches: true });
      assert.ok(ok.drills[0]!.events.some((e) => e.kind === 'deploy.healthy' && e.message.endsWith('(package caches were empty)')));

      const build = 'echo building >&2; echo "npm ERR! missing: package-lock.json" >&2; exit 1';
      const {
        drills: [d],
      } = await runDrills(ws.dir, localConfig(ws.dir, { redeploy: { ...short, repo: ws.dir, build, objectives: { maxSetupTime: '30s' } } }));
      assert.equal(d!.error, undefined, 'not an incomplete run');
      assert.equal(d!.passed, false);
      const setup = d!.objectives.find((o) => o.name === 'setup')!;
      assert.equal(setup.measured, `failed at build: build \`${build}\` failed (exit code 1)`);
      const f = d!.findings.find((x) => x.id === 'setup')!;
      assert.match(f.message, /its last 2 line\(s\) of output:\n {4}building\n {4}npm ERR! missing: package-lock\.json$/);
      assert.doesNotMatch(setup.measured, /hook/);
    } finally {
      ws.remove();
    }
  });

  test("redeploy with the real npm: a failing `npm ci` carries its cause, not only npm's usage text after it; the cold caches make npm warn about nothing", async () => {
    const ws = createDemoWorkspace();
    try {
      // The demo app has a package.json and no lockfile: npm ci refuses, then prints ~100 lines of usage text.
      const {
        drills: [d],
      } = await runDrills(ws.dir, localConfig(ws.dir, { redeploy: { ...short, repo: ws.dir, build: 'npm ci', objectives: { maxSetupTime: '60s' } } }));
      const f = d!.findings.find((x) => x.id === 'setup')!;
      assert.match(f.message, /build `npm ci` failed \(exit code 1\)/);
      assert.match(f.message, /can only install with an existing package-lock\.json/);
      assert.ok(f.message.split('\n').length <= 24, f.message);
      const output = d!.events.filter((e) => e.kind === 'hook.output' || e.kind === 'hook.stderr').map((e) => e.message);
      assert.ok(output.length > 30, `npm printed its usage text: ${output.length} lines`);
      assert.deepEqual(
        output.filter((l) => /^npm warn/i.test(l)),
        [],
      );
    } finally {
      ws.remove();
    }
  });

  test('redeploy clones HEAD: an uncommitted file does not exist in the deployed copy', async () => {
    const ws = createDemoWorkspace();
    try {
      writeFileSync(path.join(ws.dir, 'uncommitted.txt'), 'only here');
      const {
        drills: [d],
      } = await runDrills(
        ws.dir,
        localConfig(ws.dir, {
          redeploy: { ...short, repo: ws.dir, build: 'test ! -e uncommitted.txt && test -e server.js', objectives: { maxSetupTime: '30s' } },
        }),
      );
      assert.equal(d!.error, undefined);
      assert.ok(d!.setupMs! > 0 && d!.setupMs! < 30_000);
      assert.equal(d!.passed, true);
      assert.equal(readFileSync(path.join(ws.dir, 'uncommitted.txt'), 'utf8'), 'only here', 'the working copy is left alone');
    } finally {
      ws.remove();
    }
  });

  test('destructive drills need consent', async () => {
    const ws = createDemoWorkspace();
    try {
      const config = { ...localConfig(ws.dir, { redeploy: { repo: ws.dir } }), allowDestroy: false };
      await assert.rejects(runDrills(ws.dir, config), /the redeploy drill destroys the environment and its data: pass --allow-destroy/);
    } finally {
      ws.remove();
    }
  });
});

/**
 * A new connection per request: the Service pins keep-alive connections (as kube-proxy does), so with them a
 * killed replica's failures depend on whether a request happened to be on its connections; new connections go
 * round-robin to every endpoint, the dead ones too, until the loss is detected.
 */
function withNewConnections(config: ReturnType<typeof localConfig>): ReturnType<typeof localConfig> {
  const load = config.load!;
  return { ...config, load: { ...load, requests: (load.requests ?? []).map((r) => ({ ...r, headers: { connection: 'close' } })) } };
}
