/**
 * golive against servers older or less cooperative than the newest: the stand-in API server told to
 * answer as a Kubernetes 1.20 server does (policy/v1beta1 only; the real server's 400 for an Eviction of
 * policy/v1), and a node lifecycle controller that reconciles taints with healthy kubelets, as seen
 * against a real 1.20 control plane (issue 10).
 */
import { drillsEndangeredBy } from '../../src/drills/kinds.js';
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { audit } from '../../src/audit/audit.js';
import { KubeClient } from '../../src/platforms/kubernetes/client.js';
import { run } from '../../src/run/run.js';
import { k8sConfig, startStandInCluster } from '../k8s/cluster-fixture.js';

const short = { baseline: '500ms', tail: '500ms' };

describe('kubernetes servers as they are', () => {
  test('a 1.20 server: evictions and disruption budgets through policy/v1beta1, and the server version read', async () => {
    const c = await startStandInCluster({ replicas: 3, zones: 2, minAvailable: 2 });
    c.api.policyVersions = ['v1beta1'];
    c.api.gitVersion = 'v1.20.2';
    try {
      const outcome = await run({ cwd: c.dir, config: k8sConfig(c, { 'node-drain': { ...short, timeout: '20s' } }) });
      const d = outcome.result.drills[0]!;
      assert.equal(d.error, undefined, JSON.stringify(d.events.filter((e) => e.kind.startsWith('drill') || e.kind.startsWith('eviction')).slice(-4)));
      assert.ok(
        c.api.requests.some((r) => r.resource === 'pods/eviction' && r.status === 201),
        'evictions accepted',
      );
      assert.ok(!c.api.requests.some((r) => r.resource === 'pods/eviction' && r.status === 400), 'no Eviction of a version the server lacks');
      // The audit reads the PDB from policy/v1beta1: no "no PodDisruptionBudget" finding, no failure.
      const client = new KubeClient({ kubeconfig: c.kubeconfig });
      assert.equal(await client.serverVersion(), 'v1.20.2');
      assert.equal(await client.policyGroupVersion(), 'v1beta1');
      const report = await audit({ endangers: drillsEndangeredBy, cwd: c.dir, cluster: { client, namespace: 'shop' } });
      assert.ok(!report.findings.some((f) => f.id === 'GL008'), report.findings.map((f) => `${f.id} ${f.message}`).join('\n'));
    } finally {
      await c.close();
    }
  });

  test("the server's error message reaches the user whole, escaped quotes and all", async () => {
    const c = await startStandInCluster({ replicas: 2, zones: 2 });
    // Discovery says policy/v1, the Eviction endpoint only takes v1beta1: a server that contradicts itself.
    c.api.policyVersions = ['v1beta1'];
    c.api.advertisedPolicyVersions = ['v1'];
    try {
      const outcome = await run({ cwd: c.dir, config: k8sConfig(c, { 'node-drain': { ...short, timeout: '5s' } }) });
      const d = outcome.result.drills[0]!;
      assert.match(
        d.error ?? '',
        /HTTP 400: Eviction in version "v1" cannot be handled as a Eviction: no kind "Eviction" is registered for version "policy\/v1" in scheme "k8s\.io\/kubernetes\/pkg\/api\/legacyscheme\/scheme\.go:30"/,
      );
      assert.ok(
        c.api.list('nodes').every((n) => !n['spec']?.unschedulable),
        'nothing left cordoned',
      );
    } finally {
      await c.close();
    }
  });
});
