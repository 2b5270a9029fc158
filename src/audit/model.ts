/**
 * What the audit reasons about, from any source (manifests, a live cluster, the local platform's config):
 * workloads and the objects around them, each field with where it came from (file and line).
 */
export interface Location {
  file: string;
  line: number;
}

export interface AuditContainer {
  name: string;
  image?: string | undefined;
  imagePullPolicy?: string | undefined;
  readiness?: unknown;
  liveness?: unknown;
  preStop?: unknown;
  requests: { cpu?: string | undefined; memory?: string | undefined };
  limits: { cpu?: string | undefined; memory?: string | undefined };
  /** Paths mounted from emptyDir volumes. */
  emptyDirMounts: string[];
}

export interface AuditWorkload {
  kind: 'Deployment' | 'StatefulSet' | 'LocalApp';
  name: string;
  namespace: string;
  replicas: number;
  labels: Record<string, string>;
  strategy: { type: 'RollingUpdate' | 'Recreate' | 'OnDelete'; maxSurge?: number | string | undefined; maxUnavailable?: number | string | undefined };
  terminationGracePeriodSeconds: number;
  /** Seconds the app says it needs to shut down (annotation golive.dev/shutdown-seconds), when declared. */
  declaredShutdownSeconds?: number | undefined;
  containers: AuditContainer[];
  /** Topology keys the pods are spread over (anti-affinity or topologySpreadConstraints). */
  spreadKeys: string[];
  persistentVolumeClaims: string[];
  /** The only zones it may run in (a zonal volume, a node affinity; local: a component's zones). */
  pinnedZones?: readonly string[] | undefined;
  /** Where each field was declared: dotted path → location; '' is the object itself. */
  at: (path: string) => Location | undefined;
}

export interface AuditPdb {
  name: string;
  namespace: string;
  selector: Record<string, string>;
  minAvailable?: number | string | undefined;
  maxUnavailable?: number | string | undefined;
  at: (path: string) => Location | undefined;
}

export interface AuditHpa {
  name: string;
  namespace: string;
  target: { kind: string; name: string };
  minReplicas: number;
  at: (path: string) => Location | undefined;
}

export interface AuditNode {
  name: string;
  zone?: string | undefined;
  allocatableCpuMillicores: number;
  requestedCpuMillicores: number;
}

export interface AuditInput {
  workloads: AuditWorkload[];
  pdbs: AuditPdb[];
  hpas: AuditHpa[];
  /** Namespaces with a Velero Schedule covering them (undefined: unknown, e.g. manifests only). */
  veleroScheduledNamespaces?: string[] | undefined;
  /** Nodes with capacity (live cluster only). */
  nodes?: AuditNode[] | undefined;
  /** The API server's version (a live cluster): fixes are written for it. Undefined: they say which version they are for. */
  serverVersion?: string | undefined;
  /** Live objects (`Kind/namespace/name`) no manifest declares (when both were read). */
  undeclared?: string[] | undefined;
}

export type Severity = 'info' | 'warning' | 'error';

export interface AuditFinding {
  /** Stable rule id, e.g. GL001. */
  id: string;
  rule: string;
  severity: Severity;
  /** `Deployment shop/web`. */
  object: string;
  /** The field the finding is about (dotted path). */
  field: string;
  location?: Location | undefined;
  /** Drills this would make fail. */
  drills: string[];
  message: string;
  why: string;
  fix: string;
}

export const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, error: 2 };

/** The drills a finding (by its id) endangers: given by the caller, from the drill kinds' registry. */
export type Endangers = (findingId: string) => string[];
