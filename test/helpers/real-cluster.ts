/** Helpers for tests against the real control plane (test/cluster/). */
import net from 'node:net';
import type { KubeObject } from '../cluster/rest.js';
import type { TestCluster } from '../cluster/test-cluster.js';

/**
 * The `skip` option of a real-cluster suite: skipped, with the reason, where the binaries are not built;
 * in CI (CI=true) never skipped, so a missing build fails the suite instead of hiding it.
 */
export function realClusterSkip(missing: string | null): string | false {
  if (!missing || process.env['CI'] === 'true') return false;
  return missing;
}

/** A NodePort in the default range (30000–32767) that nothing on this machine listens on. */
export async function freeNodePort(): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const port = 30000 + Math.floor(Math.random() * 2768);
    const free = await new Promise<boolean>((resolve) => {
      const s = net.createServer();
      s.once('error', () => resolve(false));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error('no free NodePort in 30000–32767');
}

/** The nodes as the real kubectl reports them (`kubectl get nodes -o json`). */
export async function nodesNow(cluster: TestCluster): Promise<KubeObject[]> {
  return (JSON.parse(await cluster.kubectl(['get', 'nodes', '-o', 'json'])) as { items: KubeObject[] }).items;
}
