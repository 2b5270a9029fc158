/** The demo app on the test cluster: examples/demo-app/k8s-1.20 applied with the real kubectl, and waited for. */
import path from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import type { TestCluster } from './test-cluster.js';

const root = path.resolve(import.meta.dirname, '../../..');
export const DEMO_NAMESPACE = 'golive-demo';
export const DEMO_OVERLAY = path.join(root, 'examples/demo-app/k8s-1.20');

export interface DemoVariant {
  /** The Service's NodePort. @default the manifest's 30080 */
  nodePort?: number;
  /** Changes made to each manifest object before it is applied (a test's variant of the app). */
  edit?: (o: any) => void;
}

/** The overlay as kubectl kustomize renders it, with the variant's edits. */
export async function demoManifests(cluster: TestCluster, variant: DemoVariant = {}): Promise<string> {
  const docs = parseAllDocuments(await cluster.kubectl(['kustomize', DEMO_OVERLAY])).map((d) => d.toJS());
  for (const o of docs) {
    if (o.kind === 'Service' && variant.nodePort) o.spec.ports[0].nodePort = variant.nodePort;
    variant.edit?.(o);
  }
  return docs.map((o) => stringify(o)).join('---\n');
}

/** Applies the demo app, waits for its rollout and for its NodePort to answer; returns the NodePort URL. */
export async function deployDemo(cluster: TestCluster, variant: DemoVariant = {}): Promise<string> {
  await cluster.kubectl(['apply', '-f', '-'], { input: await demoManifests(cluster, variant) });
  await cluster.kubectl(['-n', DEMO_NAMESPACE, 'rollout', 'status', 'deployment/demo', '--timeout=180s']);
  // A drill starts from a settled app: no pod of an earlier revision still terminating.
  await cluster.waitFor(
    `/api/v1/namespaces/${DEMO_NAMESPACE}/pods`,
    (pods) => pods.every((p) => !p.metadata.deletionTimestamp),
    'no demo pod terminating',
    180_000,
  );
  const svc = JSON.parse(await cluster.kubectl(['-n', DEMO_NAMESPACE, 'get', 'service', 'demo', '-o', 'json'])) as { spec: { ports: { nodePort: number }[] } };
  const nodePort = svc.spec.ports[0]!.nodePort;
  await cluster.proxy.ready(nodePort);
  const url = `http://127.0.0.1:${nodePort}`;
  const until = Date.now() + 60_000;
  for (;;) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await res.body?.cancel();
      if (res.ok) return url;
    } catch {
      // endpoints not published yet
    }
    if (Date.now() > until) throw new Error(`the demo app does not answer at ${url}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
