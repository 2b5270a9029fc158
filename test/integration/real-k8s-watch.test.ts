/**
 * Watches on a real API server: the connection to it is cut, a node is cordoned meanwhile and etcd compacts
 * that history away, so the watch resumes into 410 Gone; golive lists again and reports the cordon it missed.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import path from 'node:path';
import { test } from 'node:test';
import { KubernetesPlatform } from '../../src/platforms/kubernetes/kubernetes-platform.js';
import { Journal } from '../../src/safety/journal.js';
import { TeardownStack } from '../../src/safety/teardown-stack.js';
import { controlPlaneMissing } from '../cluster/control-plane.js';
import { DEMO_NAMESPACE, deployDemo } from '../cluster/demo.js';
import { startTestCluster } from '../cluster/test-cluster.js';
import { freeNodePort, realClusterSkip } from '../helpers/real-cluster.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitForAsync } from '../helpers/wait.js';

/** A TCP forwarder to the API server whose connections the test can cut (and refuse) at will. */
function cutter(port: number): Promise<{ port: number; cut(): void; resume(): void; close(): void }> {
  const sockets = new Set<net.Socket>();
  let refusing = false;
  const server = net.createServer((client) => {
    if (refusing) {
      client.destroy();
      return;
    }
    const upstream = net.connect(port, '127.0.0.1');
    sockets.add(client).add(upstream);
    client.on('close', () => (sockets.delete(client), upstream.destroy()));
    upstream.on('close', () => (sockets.delete(upstream), client.destroy()));
    client.on('error', () => undefined);
    upstream.on('error', () => undefined);
    client.pipe(upstream).pipe(client);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        port: (server.address() as net.AddressInfo).port,
        cut: () => {
          refusing = true;
          for (const s of sockets) s.destroy();
        },
        resume: () => (refusing = false),
        close: () => {
          for (const s of sockets) s.destroy();
          server.close();
        },
      }),
    ),
  );
}

test(
  'a watch that meets 410 Gone on a real API server (etcd compacted) lists again and misses no change',
  { skip: realClusterSkip(controlPlaneMissing()) },
  async () => {
    const dir = tempDir('golive-real-watch-');
    // No watch cache: watches are served from etcd, which the API server compacts every second.
    const cluster = await startTestCluster({ dir: path.join(dir, 'cluster'), apiserverFlags: ['--watch-cache=false', '--etcd-compaction-interval=1s'] });
    const link = await cutter(Number(new URL(cluster.cp.server).port));
    const events: string[] = [];
    const journal = new Journal(tempDir('golive-journal-'));
    const teardowns = new TeardownStack(journal);
    try {
      await deployDemo(cluster, { nodePort: await freeNodePort() });
      const platform = new KubernetesPlatform({
        config: {
          kind: 'kubernetes',
          kubeconfig: cluster.cp.kubeconfigFor('admin', undefined, `https://127.0.0.1:${link.port}`),
          namespace: DEMO_NAMESPACE,
          workload: { kind: 'Deployment', name: 'demo' },
          drain: { retryEvery: 200, deleteEmptyDirData: true, nodeReadyTimeout: 10_000 },
          veleroNamespace: 'velero',
        },
        baseDir: dir,
        runDir: dir,
        runId: 'watch-test',
        journal,
        teardowns,
        needs: [],
        allowDestroy: false,
        hooks: { run: () => Promise.resolve(), manual: () => Promise.resolve() },
      });
      platform.setEventSink((kind, message, subject) => events.push(`${kind} ${subject ?? ''} ${message}`));
      await platform.start();
      // Cut golive off, cordon a node, and wait until etcd has compacted that history away: a watch from the
      // version golive last saw then answers 410 Gone.
      const before = (await cluster.cp.admin.get<{ metadata: { resourceVersion: string } }>('/api/v1/nodes')).metadata.resourceVersion;
      link.cut();
      await cluster.kubectl(['cordon', 'node-a1']);
      await waitForAsync(
        'etcd compacted past the cut',
        async () => /"code":410/.test(await cluster.kubectl(['get', '--raw', `/api/v1/nodes?watch=1&resourceVersion=${before}&timeoutSeconds=1`])),
        60_000,
      );
      link.resume();
      await waitForAsync('the cordon made while cut off is reported', () => Promise.resolve(events.some((e) => e.startsWith('node.cordoned node-a1'))), 60_000);
      assert.ok(
        events.some((e) => e.startsWith('watch.relist') && e.includes('410 Gone')),
        events.join('\n'),
      );
    } finally {
      assert.deepEqual(await teardowns.unwind(), []);
      link.close();
      await cluster.kubectl(['uncordon', 'node-a1']).catch(() => undefined);
      await cluster.stop();
    }
  },
);
