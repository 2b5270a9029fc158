import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { run } from '../../src/run/run.js';
import { APP, k8sConfig, mutations, NAMESPACE, startStandInCluster } from '../k8s/cluster-fixture.js';

const short = { baseline: '500ms', tail: '500ms' };

// node-drain, zone-outage, app-update and the permission precheck run against the real control plane
// (real-k8s-*.test.ts); what stays here needs what 1.20 cannot serve (Velero's CRDs) or the stand-in's own view.
describe('kubernetes drills against the stand-in API server', () => {
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

  test('expectContext refuses any other context; a missing workload is a clear error', async () => {
    const c = await startStandInCluster({ replicas: 1, zones: 2 });
    try {
      const base = k8sConfig(c, { 'app-update': short });
      const wrongContext = { ...base, platform: { ...(base.platform as object), expectContext: 'production' } } as typeof base;
      await assert.rejects(run({ cwd: c.dir, config: wrongContext }), /refusing to run: the kubeconfig context is "standin" but expectContext is "production"/);
      const missing = { ...base, platform: { ...(base.platform as object), workload: { kind: 'Deployment', name: 'nope' } } } as typeof base;
      await assert.rejects(run({ cwd: c.dir, config: missing }), /✖ platform\.workload: no Deployment nope in namespace shop \(it has Deployment web\)/);
      assert.deepEqual(mutations(c.api), []);
    } finally {
      await c.close();
    }
  });
});
