/** Config of the `kubernetes` platform: where golive points, and what it may touch. */
import { z } from 'zod';
import { describeValue } from '../../errors.js';
import { bool, duration, obj, oneOf, str } from '../../schema/helpers.js';
import { labelSelectorProblem } from './label-selector.js';

const workloadRef = obj({
  kind: oneOf(['Deployment', 'StatefulSet'] as const).default('Deployment'),
  name: str('a workload name'),
});

const selector = str('a label selector').superRefine((value, ctx) => {
  const problem = labelSelectorProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: `expected a label selector like 'app.kubernetes.io/part-of=shop': ${problem}` });
});

/** Told apart by shape, so a bad item or selector is reported at its own path, not as "no option matched". */
const workloadsSchema = z.unknown().transform((value, ctx) => {
  const parsed = Array.isArray(value)
    ? z.array(workloadRef).nonempty({ error: 'expected at least one { kind, name }' }).safeParse(value)
    : value !== null && typeof value === 'object'
      ? obj({ selector }).safeParse(value)
      : undefined;
  if (parsed?.success) return parsed.data;
  if (parsed) for (const issue of parsed.error.issues) ctx.addIssue({ ...issue });
  else
    ctx.addIssue({
      code: 'custom',
      message: `expected { selector: 'app.kubernetes.io/part-of=shop' } or a list of { kind, name }, received ${describeValue(value)}`,
    });
  return z.NEVER;
}) as unknown as z.ZodType<
  { selector: string } | [z.output<typeof workloadRef>, ...z.output<typeof workloadRef>[]],
  { selector: string } | z.input<typeof workloadRef>[]
>;

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
  /** The application as one workload, a Deployment or StatefulSet by name: the shorthand for `workloads: [it]`. */
  workload: workloadRef.optional(),
  /**
   * The system's workloads: every Deployment and StatefulSet whose labels match `selector`, or a list of
   * `{ kind, name }`. Drills act on and wait for all of them. @default every Deployment and StatefulSet in the namespace
   */
  workloads: workloadsSchema.optional(),
  /**
   * The workload users' traffic reaches first: what app-update rolls by default, and what scale and kill
   * act on. @default the one `workload` names, the first listed, else the first Deployment by name (then StatefulSet)
   */
  entry: str('a workload name').optional(),
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
}).superRefine((p, ctx) => {
  if (p.workload && p.workloads) {
    ctx.addIssue({
      code: 'custom',
      path: ['workloads'],
      message: 'give workload (one) or workloads (several), not both: workloads: [{ kind, name }, …] lists the one workload too',
    });
    return;
  }
  const listed = p.workload ? [p.workload] : Array.isArray(p.workloads) ? p.workloads : undefined;
  if (!listed) return;
  const seen = new Set<string>();
  for (const [i, w] of listed.entries()) {
    if (seen.has(w.name))
      ctx.addIssue({ code: 'custom', path: ['workloads', i, 'name'], message: `"${w.name}" is listed twice: each workload is a component, named by its name` });
    seen.add(w.name);
  }
  if (p.entry !== undefined && !seen.has(p.entry))
    ctx.addIssue({
      code: 'custom',
      path: ['entry'],
      message: `"${p.entry}" is not one of the workloads (${[...seen].join(', ')}): entry names the workload users' traffic reaches first`,
    });
});

export type ResolvedKubernetesPlatform = z.output<typeof kubernetesPlatformSchema>;

/** Namespaces destructive drills refuse to touch. */
export const PROTECTED_NAMESPACES = ['kube-system', 'kube-public', 'kube-node-lease', 'default'];
