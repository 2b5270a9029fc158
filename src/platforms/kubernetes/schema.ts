/** Config of the `kubernetes` platform: where golive points, and what it may touch. */
import { z } from 'zod';
import { bool, duration, obj, oneOf, str } from '../../schema/helpers.js';

export const kubernetesPlatformSchema = obj({
  kind: z.literal('kubernetes'),
  /** A kubeconfig file. @default the usual loading rules: KUBECONFIG, ~/.kube/config, in-cluster */
  kubeconfig: str('a file path').optional(),
  /** The kubeconfig context. @default the current context */
  context: str('a context name').optional(),
  /** Refuse to run unless the context is exactly this one. */
  expectContext: str('a context name').optional(),
  /** The application's namespace. */
  namespace: str('a namespace'),
  /** The application: a Deployment or StatefulSet by name. */
  workload: obj({
    kind: oneOf(['Deployment', 'StatefulSet'] as const).default('Deployment'),
    name: str('a workload name'),
  }),
  drain: obj({
    /** How often a PDB-blocked eviction (HTTP 429, no Retry-After) is retried. @default '2s' */
    retryEvery: duration.default(2000),
    /** Evict pods that use emptyDir volumes (their data is lost, as with kubectl drain --delete-emptydir-data). @default true */
    deleteEmptyDirData: bool('deleteEmptyDirData').default(true),
    /** How long to wait for a rebooted node to be Ready again. @default '10m' */
    nodeReadyTimeout: duration.default(600_000),
  }).prefault({}),
  /** Velero's namespace, for disaster-recovery with Velero. @default 'velero' */
  veleroNamespace: str('a namespace').default('velero'),
});

export type ResolvedKubernetesPlatform = z.output<typeof kubernetesPlatformSchema>;

/** Namespaces destructive drills refuse to touch. */
export const PROTECTED_NAMESPACES = ['kube-system', 'kube-public', 'kube-node-lease', 'default'];
