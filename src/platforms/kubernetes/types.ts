/** The parts of Kubernetes objects golive reads: plain JSON shapes, so only client.ts knows the client library. */
interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  deletionTimestamp?: string | Date;
  ownerReferences?: { kind: string; name: string; controller?: boolean }[];
  creationTimestamp?: string | Date;
}

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export interface Taint {
  key: string;
  value?: string;
  effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
  timeAdded?: string | Date;
}

export interface KNode {
  metadata: ObjectMeta;
  spec?: { unschedulable?: boolean; taints?: Taint[] };
  status?: { conditions?: Condition[]; allocatable?: Record<string, string> };
}

export interface KPod {
  metadata: ObjectMeta;
  spec?: {
    nodeName?: string;
    terminationGracePeriodSeconds?: number;
    volumes?: { name: string; emptyDir?: unknown }[];
    tolerations?: { key?: string; operator?: string; effect?: string; tolerationSeconds?: number }[];
    containers?: { name: string; image?: string; resources?: { requests?: Record<string, string>; limits?: Record<string, string> } }[];
  };
  status?: { phase?: string; conditions?: Condition[] };
}

export interface KWorkload {
  kind?: string;
  metadata: ObjectMeta;
  spec?: {
    replicas?: number;
    selector?: { matchLabels?: Record<string, string> };
    strategy?: { type?: string };
    template?: {
      metadata?: { annotations?: Record<string, string>; labels?: Record<string, string> };
      spec?: { containers?: { name: string; image?: string }[] };
    };
    progressDeadlineSeconds?: number;
  };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    currentRevision?: string;
    updateRevision?: string;
    conditions?: Condition[];
  };
}

export interface KPdb {
  metadata: ObjectMeta;
  spec?: { minAvailable?: number | string; maxUnavailable?: number | string; selector?: { matchLabels?: Record<string, string> } };
  status?: { disruptionsAllowed?: number; currentHealthy?: number; desiredHealthy?: number };
}

export interface KEvent {
  metadata: ObjectMeta;
  involvedObject?: { kind?: string; name?: string };
  reason?: string;
  message?: string;
  type?: string;
}

export interface KCustom {
  metadata: ObjectMeta;
  spec?: Record<string, unknown>;
  status?: { phase?: string; [key: string]: unknown };
}

export function isReady(pod: KPod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

export function isTerminating(pod: KPod): boolean {
  return pod.metadata.deletionTimestamp !== undefined && pod.metadata.deletionTimestamp !== null;
}

export function nodeReady(node: KNode): boolean {
  return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

export const ZONE_LABEL = 'topology.kubernetes.io/zone';
