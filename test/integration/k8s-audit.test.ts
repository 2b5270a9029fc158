import { drillsEndangeredBy } from '../../src/drills/kinds.js';
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { audit } from '../../src/audit/audit.js';
import { KubeClient } from '../../src/platforms/kubernetes/client.js';
import { startStandInCluster } from '../k8s/cluster-fixture.js';

const FIXTURES = path.resolve(import.meta.dirname, '../../../test/fixtures');

test('audit of a live namespace: N-1 headroom from node capacity, and live objects no manifest declares', async () => {
  const c = await startStandInCluster({ replicas: 3, zones: 3 });
  try {
    // Fill the cluster: every node has 4 CPUs; other tenants request 3.7 of each.
    for (const n of c.api.list('nodes')) {
      c.api.put('pods', {
        metadata: { name: `tenant-${n.metadata.name}`, namespace: 'other' },
        spec: { nodeName: n.metadata.name, containers: [{ name: 'x', resources: { requests: { cpu: '3700m' } } }] },
        status: { conditions: [{ type: 'Ready', status: 'True' }] },
      });
    }
    c.api.put('poddisruptionbudgets', {
      metadata: { name: 'hand-made', namespace: 'shop' },
      spec: { minAvailable: 1, selector: { matchLabels: { app: 'web' } } },
    });
    const client = new KubeClient({ kubeconfig: c.kubeconfig });
    const live = await audit({ endangers: drillsEndangeredBy, cwd: FIXTURES, cluster: { client, namespace: 'shop' } });
    const ids = live.findings.map((f) => f.id);
    assert.ok(ids.includes('GL015'), ids.join(' '));
    assert.match(
      live.findings.find((f) => f.id === 'GL015')!.message,
      /^losing the largest node node-\w+ would leave \d+m CPU of requests nowhere to go \(\d+m unrequested elsewhere; this workload requests 1500m\)$/,
    );
    assert.ok(!ids.includes('GL008'), 'the live PDB selects the pods');

    // With the repository's manifests too: what the cluster has and nobody declared.
    const declared = `apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: web, namespace: shop }\nspec:\n  replicas: 3\n  selector: { matchLabels: { app: web } }\n  template:\n    metadata: { labels: { app: web } }\n    spec:\n      containers: [{ name: app, image: demo:1 }]\n`;
    const both = await audit({ endangers: drillsEndangeredBy, cwd: FIXTURES, stdin: declared, cluster: { client, namespace: 'shop' } });
    const undeclared = both.findings.filter((f) => f.id === 'GL020').map((f) => f.object);
    assert.deepEqual(undeclared, ['PodDisruptionBudget/shop/hand-made']);
    assert.ok(!ids.includes('GL021'), 'without a config nothing is said about monitoring');

    // A kubernetes config without observe.prometheus: noted (info), never a failure.
    const unobserved = await audit({ endangers: drillsEndangeredBy, cwd: FIXTURES, cluster: { client, namespace: 'shop', prometheusConfigured: false } });
    const note = unobserved.findings.find((f) => f.id === 'GL021');
    assert.equal(note?.severity, 'info');
    assert.match(note.message, /no Prometheus is configured/);
    const observed = await audit({ endangers: drillsEndangeredBy, cwd: FIXTURES, cluster: { client, namespace: 'shop', prometheusConfigured: true } });
    assert.ok(!observed.findings.some((f) => f.id === 'GL021'));
  } finally {
    await c.close();
  }
});

test("the audit's fixes are written for the server's version: a 1.20 server gets policy/v1beta1, exec sleep and no matchLabelKeys; a 1.30 one the current forms", async () => {
  const c = await startStandInCluster({ replicas: 3, zones: 3 });
  try {
    const client = new KubeClient({ kubeconfig: c.kubeconfig });
    // The seeded app has no PDB, no preStop and no spread: each of those fixes is written.
    const fixes = async (): Promise<Record<string, string>> =>
      Object.fromEntries(
        (await audit({ endangers: drillsEndangeredBy, cwd: FIXTURES, cluster: { client, namespace: 'shop' } })).findings
          .filter((f) => ['GL007', 'GL008', 'GL011', 'GL012'].includes(f.id))
          .map((f) => [f.id, f.fix]),
      );
    c.api.gitVersion = 'v1.20.2';
    c.api.policyVersions = ['v1beta1'];
    const old = await fixes();
    assert.deepEqual(Object.keys(old).sort(), ['GL007', 'GL008', 'GL011', 'GL012']);
    assert.match(old['GL008']!, /^apiVersion: policy\/v1beta1\n/);
    assert.match(old['GL007']!, /preStop: \{ exec: \{ command: \[sleep, "5"\] \} \}/);
    for (const id of ['GL011', 'GL012']) assert.doesNotMatch(old[id]!, /matchLabelKeys/, id);
    for (const fix of Object.values(old)) assert.doesNotMatch(fix, /policy\/v1\n|sleep: \{ seconds/);

    c.api.gitVersion = 'v1.30.0';
    c.api.policyVersions = ['v1', 'v1beta1'];
    const current = await fixes();
    assert.match(current['GL008']!, /^apiVersion: policy\/v1\n/);
    assert.match(current['GL007']!, /preStop: \{ sleep: \{ seconds: 5 \} \}/);
    for (const id of ['GL011', 'GL012']) assert.match(current[id]!, /matchLabelKeys: \[pod-template-hash\]/, id);
  } finally {
    await c.close();
  }
});
