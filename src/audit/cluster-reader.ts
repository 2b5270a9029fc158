/**
 * What the audit reads of a live cluster: a small read-only interface of its own, so the audit knows no
 * platform. The kubernetes platform's client satisfies it; the shapes are the fields the audit reads.
 */
interface Meta {
  name: string;
  labels?: Record<string, string>;
  deletionTimestamp?: unknown;
}

export interface ClusterReader {
  readonly context: string;
  serverVersion(): Promise<string | null>;
  /** Deployments and StatefulSets as the API gives them (read like manifests). */
  listDeployments(namespace: string): Promise<{ metadata: Meta }[]>;
  listStatefulSets(namespace: string): Promise<{ metadata: Meta }[]>;
  listPdbs(namespace: string): Promise<
    {
      metadata: Meta;
      spec?: { minAvailable?: number | string; maxUnavailable?: number | string; selector?: { matchLabels?: Record<string, string> } };
    }[]
  >;
  listHpas(namespace: string): Promise<{ name: string; target: { kind: string; name: string }; minReplicas: number }[]>;
  /** Namespaces Velero backs up on a schedule; null when Velero is not installed. */
  listVeleroSchedules(veleroNamespace: string): Promise<string[] | null>;
  listNodes(): Promise<{ items: { metadata: Meta; spec?: { unschedulable?: boolean }; status?: { allocatable?: Record<string, string> } }[] }>;
  listAllPods(): Promise<{ metadata: Meta; spec?: { nodeName?: string; containers?: { resources?: { requests?: Record<string, string> } }[] } }[]>;
}
