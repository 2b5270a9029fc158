/**
 * The whole test cluster: the real control plane, the process kubelet with nodes in zones, and the NodePort
 * proxy, and a volume provisioner (the default StorageClass). `startTestCluster` waits until every node is Ready and untainted, as a cluster is before anyone uses it.
 */
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { startControlPlane, type ControlPlane } from './control-plane.js';
import { NodePortProxy } from './node-port-proxy.js';
import { ProcessKubelet } from './process-kubelet.js';
import { LocalProvisioner } from './provisioner.js';
import type { KubeObject } from './rest.js';

export interface TestClusterOptions {
  dir: string;
  /** Zone names. @default ['zone-a', 'zone-b', 'zone-c'] */
  zones?: string[];
  /** Nodes per zone. @default 2 */
  perZone?: number;
  users?: Record<string, string[]>;
  controllerManagerFlags?: string[];
  apiserverFlags?: string[];
}

export interface TestCluster {
  cp: ControlPlane;
  kubelet: ProcessKubelet;
  proxy: NodePortProxy;
  kubeconfig: string;
  dir: string;
  /** Runs the real kubectl against the cluster (admin unless `kubeconfig` says otherwise). */
  kubectl(args: string[], opts?: { kubeconfig?: string; input?: string }): Promise<string>;
  /** Waits until `check` holds for the object list at `path` (polling the API; deadline generous). */
  waitFor(path: string, check: (items: KubeObject[]) => boolean, what: string, deadlineMs?: number): Promise<KubeObject[]>;
  stop(): Promise<void>;
}

export function nodeNames(zones: string[], perZone: number): Record<string, string[]> {
  return Object.fromEntries(zones.map((z) => [z, Array.from({ length: perZone }, (_, i) => `node-${z.replace(/^zone-/, '')}${i + 1}`)]));
}

export async function startTestCluster(options: TestClusterOptions): Promise<TestCluster> {
  mkdirSync(options.dir, { recursive: true });
  const cp = await startControlPlane({
    dir: path.join(options.dir, 'control-plane'),
    ...(options.users ? { users: options.users } : {}),
    ...(options.controllerManagerFlags ? { controllerManagerFlags: options.controllerManagerFlags } : {}),
    ...(options.apiserverFlags ? { apiserverFlags: options.apiserverFlags } : {}),
  });
  const kubelet = new ProcessKubelet(cp.admin, {
    dir: path.join(options.dir, 'kubelet'),
    nodes: nodeNames(options.zones ?? ['zone-a', 'zone-b', 'zone-c'], options.perZone ?? 2),
  });
  const proxy = new NodePortProxy(cp.admin, kubelet);
  const provisioner = new LocalProvisioner(cp.admin);
  const waitFor = async (apiPath: string, check: (items: KubeObject[]) => boolean, what: string, deadlineMs = 120_000): Promise<KubeObject[]> => {
    const until = Date.now() + deadlineMs;
    let items: KubeObject[] = [];
    while (Date.now() < until) {
      items = (await cp.admin.get<{ items: KubeObject[] }>(apiPath)).items;
      if (check(items)) return items;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(
      `${what}: not after ${deadlineMs} ms; ${apiPath} has ${JSON.stringify(items.map((i) => ({ name: i.metadata.name, status: i.status })))}`.slice(0, 4000),
    );
  };
  const cluster: TestCluster = {
    cp,
    kubelet,
    proxy,
    kubeconfig: cp.kubeconfig,
    dir: options.dir,
    kubectl: (args, opts = {}) =>
      new Promise((resolve, reject) => {
        const child = execFile(
          'kubectl',
          ['--kubeconfig', opts.kubeconfig ?? cp.kubeconfig, ...args],
          { maxBuffer: 64 << 20, timeout: 180_000 },
          (err, stdout, stderr) => (err ? reject(new Error(`kubectl ${args.join(' ')}: ${stderr || err.message}`)) : resolve(stdout)),
        );
        if (opts.input !== undefined) child.stdin!.end(opts.input);
      }),
    waitFor,
    stop: async () => {
      provisioner.stop();
      await proxy.stop();
      await kubelet.stop();
      await cp.stop();
    },
  };
  try {
    await kubelet.start();
    proxy.start();
    await provisioner.start();
    await waitFor(
      '/api/v1/nodes',
      (nodes) =>
        nodes.length === kubelet.nodeNames.length &&
        nodes.every((n) => (n.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True') && !(n.spec?.taints ?? []).length),
      'every node Ready and untainted',
    );
  } catch (e) {
    await cluster.stop();
    throw e;
  }
  return cluster;
}
