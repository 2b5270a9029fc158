/** A live namespace in the audit model: workloads, budgets, autoscalers, backup schedules, node capacity. */
import type { ClusterReader } from './cluster-reader.js';
import { cpuMillicores } from './rules.js';
import { workloadFrom } from './from-manifests.js';
import type { AuditInput, AuditNode } from './model.js';

/** Velero's backup schedules are read only with `veleroNamespace` (golive may have no access there, nor Velero). */
export async function clusterToAudit(client: ClusterReader, namespace: string, veleroNamespace: string | undefined): Promise<AuditInput & { live: string[] }> {
  const deployments = await client.listDeployments(namespace);
  const statefulsets = await client.listStatefulSets(namespace);
  const pdbs = await client.listPdbs(namespace);
  const hpas = await client.listHpas(namespace);
  const schedules = veleroNamespace === undefined ? null : await client.listVeleroSchedules(veleroNamespace);
  const none = (): undefined => undefined;
  const workloads = [...deployments.map((d) => ({ ...d, kind: 'Deployment' })), ...statefulsets.map((s) => ({ ...s, kind: 'StatefulSet' }))].map((w) =>
    workloadFrom(w, namespace, none),
  );
  const nodes = (await client.listNodes()).items.filter((n) => !n.spec?.unschedulable);
  const pods = await client.listAllPods();
  const auditNodes: AuditNode[] = nodes.map((n) => ({
    name: n.metadata.name,
    zone: n.metadata.labels?.['topology.kubernetes.io/zone'],
    allocatableCpuMillicores: cpuMillicores(n.status?.allocatable?.['cpu']),
    requestedCpuMillicores: pods
      .filter((p) => p.spec?.nodeName === n.metadata.name && !p.metadata.deletionTimestamp)
      .reduce((s, p) => s + (p.spec?.containers ?? []).reduce((m, c) => m + cpuMillicores(c.resources?.requests?.['cpu']), 0), 0),
  }));
  return {
    workloads,
    pdbs: pdbs.map((p) => ({
      name: p.metadata.name,
      namespace,
      selector: p.spec?.selector?.matchLabels ?? {},
      minAvailable: p.spec?.minAvailable,
      maxUnavailable: p.spec?.maxUnavailable,
      at: none,
    })),
    hpas: hpas.map((h) => ({ name: h.name, namespace, target: h.target, minReplicas: h.minReplicas, at: none })),
    ...(schedules !== null ? { veleroScheduledNamespaces: schedules } : {}),
    nodes: auditNodes,
    live: [
      ...deployments.map((d) => `Deployment/${namespace}/${d.metadata.name}`),
      ...statefulsets.map((s) => `StatefulSet/${namespace}/${s.metadata.name}`),
      ...pdbs.map((p) => `PodDisruptionBudget/${namespace}/${p.metadata.name}`),
      ...hpas.map((h) => `HorizontalPodAutoscaler/${namespace}/${h.name}`),
    ],
  };
}
