import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KubernetesPlatform } from '../../src/platforms/kubernetes/kubernetes-platform.js';
import { Journal } from '../../src/safety/journal.js';
import { TeardownStack } from '../../src/safety/teardown-stack.js';
import { APP, NAMESPACE, startStandInCluster } from '../k8s/cluster-fixture.js';
import { tempDir } from '../helpers/temp-dir.js';

test('watches survive a dropped connection and an expired resourceVersion (410 Gone → relist), and keep reporting', async () => {
  const c = await startStandInCluster({ replicas: 2, zones: 2 });
  const events: string[] = [];
  const journal = new Journal(tempDir('golive-journal-'));
  const teardowns = new TeardownStack(journal);
  const platform = new KubernetesPlatform({
    config: {
      kind: 'kubernetes',
      kubeconfig: c.kubeconfig,
      namespace: NAMESPACE,
      workload: { kind: 'Deployment', name: APP },
      drain: { retryEvery: 200, deleteEmptyDirData: true, nodeReadyTimeout: 10_000 },
      veleroNamespace: 'velero',
    },
    baseDir: c.dir,
    runDir: c.dir,
    runId: 'watch-test',
    journal,
    teardowns,
    needs: [],
    dryRun: false,
    allowDestroy: false,
    hooks: { run: () => Promise.resolve(), manual: () => Promise.resolve() },
  });
  platform.setEventSink((kind, message, subject) => events.push(`${kind} ${subject ?? ''} ${message}`));
  try {
    await platform.start();
    // A change happens while no watch is connected, then the history it is in is compacted away.
    c.api.dropWatches();
    const node = c.api.list('nodes')[0]!;
    c.api.put('nodes', { ...node, spec: { unschedulable: true } });
    c.api.compactHistory();
    const deadline = Date.now() + 5000;
    while (!events.some((e) => e.startsWith('node.cordoned')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.ok(
      events.some((e) => e.startsWith('watch.relist') && e.includes('410 Gone')),
      events.join('\n'),
    );
    assert.ok(
      events.some((e) => e.startsWith(`node.cordoned ${node.metadata.name}`)),
      'the change made while disconnected is seen after the relist',
    );
  } finally {
    assert.deepEqual(await teardowns.unwind(), []);
    await c.close();
  }
});
