/** Undoing journalled cluster changes: at a drill's or run's end, and by `golive recover` after a crash. */
import { KubeClient } from './client.js';
import type { KNode } from './types.js';

/** What golive changed in a cluster, as the payload of its journal entry: enough to reverse it. */
export type K8sUndo =
  | { op: 'uncordon'; node: string }
  | { op: 'remove-taint'; node: string; key: string }
  | { op: 'scale'; kind: 'Deployment' | 'StatefulSet'; namespace: string; name: string; replicas: number }
  | { op: 'env'; kind: 'Deployment' | 'StatefulSet'; namespace: string; name: string; container: string; env: string; value: string | null }
  | { op: 'delete-job'; namespace: string; name: string }
  | { op: 'delete-configmap'; namespace: string; name: string };

/** The journal payload: the change and where it was made. */
export interface JournalledUndo {
  change: K8sUndo;
  context?: string | undefined;
  kubeconfig?: string | undefined;
}

export async function undoChange(client: KubeClient, c: K8sUndo): Promise<void> {
  switch (c.op) {
    case 'uncordon':
      await client.patchNode(c.node, { spec: { unschedulable: null } }, 'uncordon (undo)');
      return;
    case 'remove-taint': {
      const node: KNode = await client.getNode(c.node);
      const taints = node.spec?.taints ?? [];
      if (taints.some((t) => t.key === c.key))
        await client.patchNode(c.node, { spec: { taints: taints.filter((t) => t.key !== c.key) } }, `remove taint ${c.key} (undo)`);
      return;
    }
    case 'scale':
      await client.patchWorkload(c.kind, c.namespace, c.name, { spec: { replicas: c.replicas } }, `replicas back to ${c.replicas} (undo)`);
      return;
    case 'delete-job':
      await client.deleteJob(c.namespace, c.name);
      return;
    case 'delete-configmap':
      await client.deleteConfigMap(c.namespace, c.name);
      return;
    case 'env':
      await client.patchWorkload(
        c.kind,
        c.namespace,
        c.name,
        {
          spec: {
            template: {
              spec: { containers: [{ name: c.container, env: [c.value === null ? { name: c.env, $patch: 'delete' } : { name: c.env, value: c.value }] }] },
            },
          },
        },
        `env ${c.env} back (undo)`,
      );
      return;
  }
}

/** The undoer `golive recover` uses for journal entries `by: 'kubernetes'`. */
export async function undoJournalled(payload: unknown): Promise<string> {
  const p = payload as JournalledUndo;
  const client = new KubeClient({ context: p.context, kubeconfig: p.kubeconfig });
  await undoChange(client, p.change);
  return `undone in context ${client.context}`;
}
