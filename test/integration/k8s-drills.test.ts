import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { run } from '../../src/run/run.js';
import { APP, k8sConfig, mutations, NAMESPACE, startStandInCluster } from '../k8s/cluster-fixture.js';

const short = { baseline: '500ms', tail: '500ms' };

describe('kubernetes drills against the stand-in API server', () => {
  test('node-drain: cordon, evict through the Eviction API (429 from the PDB retried and reported), replacements Ready before the next node, uncordon', async () => {
    // 3 replicas on 2 nodes, minAvailable 2: the second pod on a node waits for the first one's replacement.
    const c = await startStandInCluster({ replicas: 3, zones: 2, minAvailable: 2 });
    try {
      const outcome = await run({ cwd: c.dir, config: k8sConfig(c, { 'node-drain': { ...short, timeout: '20s', objectives: { maxFailedRequests: 0 } } }) });
      const d = outcome.result.drills[0]!;
      assert.equal(d.error, undefined, JSON.stringify(d.events.filter((e) => e.kind.startsWith('drill') || e.kind.startsWith('eviction')).slice(-6)));
      assert.equal(d.requests.failed, 0);
      const calls = mutations(c.api);
      const drained = (d.capacity as { drainedNodes: string[] }).drainedNodes;
      assert.equal(drained.length, 2);
      // Per node, in order: cordon, evict each pod, uncordon; the next node only after that.
      for (const node of drained) {
        const cordon = calls.indexOf(`patch nodes ${node}`);
        const uncordon = calls.lastIndexOf(`patch nodes ${node}`);
        assert.ok(cordon >= 0 && uncordon > cordon, calls.join('\n'));
        assert.ok(
          calls.slice(cordon, uncordon).some((x) => x.startsWith('create pods/eviction')),
          calls.join('\n'),
        );
      }
      assert.ok(calls.lastIndexOf(`patch nodes ${drained[0]}`) < calls.indexOf(`patch nodes ${drained[1]}`), 'one node at a time');
      const blocked = d.events.filter((e) => e.kind === 'eviction.blocked');
      assert.ok(blocked.length >= 1, 'the second pod on a node meets a 429 until the first one is replaced');
      assert.match(
        blocked[0]!.message,
        /refused \(429\): PodDisruptionBudget shop\/web-pdb \(minAvailable 2, \d healthy, \d disruptions allowed\) allows no disruption now; retrying in 200 ms/,
      );
      assert.equal(c.api.requests.filter((r) => r.resource === 'pods/eviction' && r.status === 429).length, blocked.length);
      for (const n of c.api.list('nodes')) assert.equal(n['spec']?.unschedulable, undefined, `${n.metadata.name} uncordoned`);
    } finally {
      await c.close();
    }
  });

  test('node-drain: a PDB that never allows a disruption times out naming it, and the node is uncordoned anyway', async () => {
    const c = await startStandInCluster({ replicas: 1, zones: 2, minAvailable: 1 });
    try {
      const outcome = await run({ cwd: c.dir, config: k8sConfig(c, { 'node-drain': { ...short, timeout: '1500ms' } }) });
      const d = outcome.result.drills[0]!;
      assert.match(
        d.error ?? '',
        /draining node-\w+ timed out after 1500 ms: eviction of shop\/web-[\w-]+ is still blocked by PodDisruptionBudget shop\/web-pdb \(minAvailable 1/,
      );
      for (const n of c.api.list('nodes')) assert.equal(n['spec']?.unschedulable, undefined, 'the journal undid the cordon');
    } finally {
      await c.close();
    }
  });

  test('zone-outage (evict): the zone cordoned and tainted, its pods deleted without grace, the other zones carry the load, everything restored', async () => {
    const c = await startStandInCluster({ replicas: 3, zones: 3 });
    try {
      const outcome = await run({ cwd: c.dir, config: k8sConfig(c, { 'zone-outage': { ...short, zone: 'zone-b' } }) });
      const d = outcome.result.drills[0]!;
      assert.equal(d.error, undefined);
      const calls = mutations(c.api);
      assert.deepEqual(
        calls.filter((x) => x.startsWith('patch nodes')),
        ['patch nodes node-b1', 'patch nodes node-b1', 'patch nodes node-b1'],
      );
      assert.ok(calls.some((x) => x.startsWith('delete pods web-')));
      const del = c.api.requests.find((r) => r.verb === 'delete' && r.resource === 'pods')!;
      assert.ok(del);
      assert.match(
        d.events.find((e) => e.kind === 'zone.lost')!.message,
        /zone-b \(mode evict\): 1 node\(s\) cordoned and tainted golive\.dev\/zone-outage:NoExecute, 1 pod\(s\) deleted without grace/,
      );
      assert.equal(d.requests.failed, 0, 'two zones were left: the Service always had endpoints');
      const node = c.api.get('nodes', '', 'node-b1')!;
      assert.deepEqual(node['spec']?.taints ?? [], []);
      assert.equal(node['spec']?.unschedulable, undefined);
    } finally {
      await c.close();
    }
  });

  test("zone-outage (unreachable): the node controller's taint; pods move when their tolerationSeconds run out", async () => {
    const c = await startStandInCluster({ replicas: 3, zones: 3, tolerationSeconds: 1 });
    try {
      const outcome = await run({ cwd: c.dir, config: k8sConfig(c, { 'zone-outage': { ...short, zone: 'zone-a', mode: 'unreachable' } }) });
      const d = outcome.result.drills[0]!;
      assert.equal(d.error, undefined);
      const lost = d.events.find((e) => e.kind === 'zone.lost')!;
      const moved = d.events.find((e) => e.kind === 'pod.terminating');
      assert.ok(moved, JSON.stringify(d.events.map((e) => `${e.atMs} ${e.kind} ${e.subject ?? ''} ${e.message}`)));
      assert.ok(moved.atMs - lost.atMs >= 900, `pods left after their 1 s toleration (${moved.atMs - lost.atMs} ms)`);
      assert.deepEqual(c.api.get('nodes', '', 'node-a1')!['spec']?.taints ?? [], []);
    } finally {
      await c.close();
    }
  });

  test('disaster-recovery with Velero: Backup Completed, namespace deleted and gone, Restore Completed, workload available', async () => {
    const c = await startStandInCluster({ replicas: 2, zones: 2 });
    c.api.put('namespaces', { metadata: { name: 'velero' } });
    try {
      const config = k8sConfig(
        c,
        {
          'disaster-recovery': {
            ...short,
            afterBackup: '300ms',
            backup: { velero: { namespace: 'velero' } },
            canary: { write: { method: 'GET', url: '/' }, read: { url: '/' } },
          },
        },
        { allowDestroy: true },
      );
      const outcome = await run({ cwd: c.dir, config });
      const d = outcome.result.drills[0]!;
      assert.equal(d.error, undefined, JSON.stringify(d.events.slice(-5)));
      const calls = mutations(c.api);
      const order = ['create backups', 'delete namespaces shop', 'create restores'].map((p) => calls.findIndex((x) => x.startsWith(p)));
      assert.ok(
        order.every((i, k) => i >= 0 && (k === 0 || i > order[k - 1]!)),
        calls.join('\n'),
      );
      assert.ok(d.recovery!.timeMs! > 0);
      assert.ok(d.events.some((e) => e.kind === 'backup.completed') && d.events.some((e) => e.kind === 'restore.completed'));
    } finally {
      await c.close();
    }
  });

  test('redeploy: namespace deleted, the repository cloned at HEAD, the deploy command run there, setup time measured', async () => {
    const c = await startStandInCluster({ replicas: 2, zones: 2 });
    try {
      const repo = path.join(c.dir, 'repo');
      mkdirSync(repo);
      // The "deploy" recreates the namespace and the Deployment through the stand-in, as kubectl apply would.
      writeFileSync(
        path.join(repo, 'deploy.mjs'),
        `
        const api = process.env.STANDIN;
        const post = (p, body) => fetch(api + p, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
        await post('/api/v1/namespaces', { metadata: { name: 'shop' } });
        await post('/apis/apps/v1/namespaces/shop/deployments', ${JSON.stringify(c.api.get('deployments', NAMESPACE, APP))});
      `,
      );
      execFileSync('git', ['init', '-q'], { cwd: repo });
      execFileSync('git', ['add', '.'], { cwd: repo });
      execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'deploy'], { cwd: repo });
      process.env['STANDIN'] = c.api.url;
      const outcome = await run({
        cwd: c.dir,
        config: k8sConfig(c, { redeploy: { ...short, repo, command: 'node deploy.mjs', objectives: { maxSetupTime: '30s' } } }, { allowDestroy: true }),
      });
      const d = outcome.result.drills[0]!;
      assert.equal(d.error, undefined, JSON.stringify(d.events.slice(-5)));
      assert.ok(d.setupMs! > 0);
      assert.ok(mutations(c.api).includes('delete namespaces shop'));
      assert.ok(
        c.api.requests.some((r) => r.verb === 'create' && r.resource === 'deployments'),
        'the command deployed',
      );
    } finally {
      delete process.env['STANDIN'];
      await c.close();
    }
  });

  test('--dry-run: every planned change described, zero mutating calls', async () => {
    const c = await startStandInCluster({ replicas: 2, zones: 2 });
    try {
      const planned: string[] = [];
      const outcome = await run({
        cwd: c.dir,
        dryRun: true,
        allowDestroy: true,
        onMutation: (m) => planned.push(m),
        config: k8sConfig(c, { 'app-update': short, 'node-drain': short, 'zone-outage': short }),
      });
      assert.deepEqual(mutations(c.api), []);
      assert.ok(
        planned.some((p) => /^PATCH Deployment shop\/web \(strategic merge\): restart$/.test(p)),
        planned.join('\n'),
      );
      assert.ok(planned.some((p) => /^POST pods\/web-[\w-]+\/eviction in shop/.test(p)));
      assert.ok(planned.some((p) => /^PATCH node node-\w+ \(strategic merge\): cordon \+ taint golive\.dev\/zone-outage:NoExecute$/.test(p)));
      assert.ok(planned.some((p) => /^DELETE pod shop\/web-[\w-]+ \(grace 0 s\)$/.test(p)));
      assert.deepEqual(
        outcome.result.drills.map((d) => [d.planned, d.error]),
        Array(3).fill([true, undefined]),
      );
      assert.deepEqual(outcome.result.dryRun, { valid: true });
      assert.equal(outcome.result.passed, false, 'a plan proves nothing');
    } finally {
      await c.close();
    }
  });

  test('permissions are checked before any change: a denied verb fails the run and names it', async () => {
    const c = await startStandInCluster({ replicas: 2, zones: 2 });
    try {
      c.api.denied.add('create /pods/eviction');
      await assert.rejects(
        run({ cwd: c.dir, config: k8sConfig(c, { 'node-drain': short }) }),
        /forbidden before anything changed: golive may not create pods\/eviction\. `golive rbac` prints the Role and ClusterRole to grant/,
      );
      assert.deepEqual(mutations(c.api), []);
    } finally {
      await c.close();
    }
  });

  test('expectContext refuses any other context; a missing workload is a clear error', async () => {
    const c = await startStandInCluster({ replicas: 1, zones: 2 });
    try {
      const base = k8sConfig(c, { 'app-update': short });
      const wrongContext = { ...base, platform: { ...(base.platform as object), expectContext: 'production' } } as typeof base;
      await assert.rejects(run({ cwd: c.dir, config: wrongContext }), /refusing to run: the kubeconfig context is "standin" but expectContext is "production"/);
      const missing = { ...base, platform: { ...(base.platform as object), workload: { kind: 'Deployment', name: 'nope' } } } as typeof base;
      await assert.rejects(run({ cwd: c.dir, config: missing }), /not found: cannot get Deployment shop\/nope/);
      assert.deepEqual(mutations(c.api), []);
    } finally {
      await c.close();
    }
  });
});
