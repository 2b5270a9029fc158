/**
 * Nothing left behind on a real Kubernetes 1.20 control plane: SIGINT in the middle of zone-outage and of a
 * PDB-blocked node-drain, and SIGKILL then `golive recover`, leave no cordon and no taint (read back with the
 * real kubectl).
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { controlPlaneMissing } from '../cluster/control-plane.js';
import { DEMO_NAMESPACE, deployDemo } from '../cluster/demo.js';
import { startTestCluster, type TestCluster } from '../cluster/test-cluster.js';
import { golive, type CliResult } from '../helpers/cli.js';
import { freeNodePort, nodesNow, realClusterSkip } from '../helpers/real-cluster.js';
import { tempDir } from '../helpers/temp-dir.js';

describe('kubernetes safety on a real 1.20 control plane: nothing left behind', { skip: realClusterSkip(controlPlaneMissing()) }, () => {
  let cluster: TestCluster;
  let dir: string;
  let nodePort: number;
  before(async () => {
    dir = tempDir('golive-real-safety-');
    cluster = await startTestCluster({ dir: path.join(dir, 'cluster') });
    nodePort = await freeNodePort();
  });
  after(async () => {
    await cluster?.stop();
  });

  const writeConfig = (url: string, drills: Record<string, unknown>): void =>
    writeFileSync(
      path.join(dir, 'golive.config.json'),
      JSON.stringify({
        name: 'real-safety',
        target: { url },
        load: { rate: 20, threads: 1, connections: 4 },
        platform: {
          kind: 'kubernetes',
          kubeconfig: cluster.kubeconfig,
          namespace: DEMO_NAMESPACE,
          workload: { kind: 'Deployment', name: 'demo' },
          drain: { retryEvery: '500ms' },
        },
        output: { dir: 'golive-results' },
        drills,
      }),
    );

  /** Runs `golive run`, sends `signal` once `ready` holds on the real server. */
  const interrupt = (signal: NodeJS.Signals, ready: (nodes: any[]) => boolean): Promise<CliResult> =>
    golive(['run'], {
      cwd: dir,
      onSpawn: (child) => {
        let done = false;
        child.on('close', () => (done = true));
        const poll = async (): Promise<void> => {
          while (!done) {
            const nodes = (await cluster.cp.admin.get<{ items: any[] }>('/api/v1/nodes')).items;
            if (ready(nodes)) {
              child.kill(signal);
              return;
            }
            await new Promise((r) => setTimeout(r, 50));
          }
        };
        void poll();
      },
    });
  const tainted = (key: string) => (nodes: any[]) => nodes.some((n) => (n.spec?.taints ?? []).some((t: any) => t.key === key));
  const assertClean = async (): Promise<void> => {
    for (const n of await nodesNow(cluster)) {
      assert.ok(!n.spec?.unschedulable, `${n.metadata.name} is cordoned`);
      assert.deepEqual(
        (n.spec?.taints ?? []).map((t: { key: string }) => t.key),
        [],
        `${n.metadata.name} taints`,
      );
    }
  };

  test('SIGINT in the middle of zone-outage: taints and cordons removed, exit 3', async () => {
    writeConfig(await deployDemo(cluster, { nodePort }), { 'zone-outage': { baseline: '1s', tail: '60s', zone: 'zone-a', recovery: '120s' } });
    const r = await interrupt('SIGINT', tainted('golive.dev/zone-outage'));
    assert.equal(r.code, 3, r.stdout.slice(-1500) + r.stderr);
    await assertClean();
  });

  test('SIGINT in the middle of a node-drain the PDB blocks: the node is uncordoned, exit 3', async () => {
    const url = await deployDemo(cluster, {
      nodePort,
      edit: (o) => {
        if (o.kind === 'PodDisruptionBudget') o.spec.minAvailable = 3;
      },
    });
    writeConfig(url, { 'node-drain': { baseline: '1s', timeout: '120s' } });
    let blocked = false;
    const r = await golive(['run'], {
      cwd: dir,
      onSpawn: (child) => {
        // The refusal comes from the real disruption controller's budget: wait for golive to report it.
        child.stdout!.on('data', (d: Buffer) => {
          if (!blocked && /eviction\.blocked|refused \(429\)/.test(d.toString())) {
            blocked = true;
            child.kill('SIGINT');
          }
        });
      },
    });
    assert.ok(blocked, r.stdout.slice(-1500));
    assert.equal(r.code, 3, r.stdout.slice(-1500) + r.stderr);
    await assertClean();
    await deployDemo(cluster, { nodePort });
  });

  test('SIGKILL mid zone-outage leaves the taint and the cordon; golive recover removes them from the journal', async () => {
    writeConfig(await deployDemo(cluster, { nodePort }), { 'zone-outage': { baseline: '1s', tail: '60s', zone: 'zone-b', recovery: '120s' } });
    const r = await interrupt('SIGKILL', tainted('golive.dev/zone-outage'));
    assert.equal(r.signal, 'SIGKILL');
    const left = await nodesNow(cluster);
    assert.ok(left.some((n) => n.spec?.unschedulable) || tainted('golive.dev/zone-outage')(left), 'a killed golive cannot clean up');
    const rec = await golive(['recover'], { cwd: dir });
    assert.equal(rec.code, 0, rec.stdout + rec.stderr);
    assert.match(rec.stdout, /✓ undone: tainted node node-b\d golive\.dev\/zone-outage:NoExecute → undone in context golive-test/);
    await assertClean();
  });
});
