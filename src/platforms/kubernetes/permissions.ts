/**
 * The API calls golive makes, as RBAC rules: what `golive rbac` prints and what the preflight checks
 * with SelfSubjectAccessReview before anything changes. One list, derived from the configured drills.
 */
import type { PlatformOperation } from '../platform.js';
import type { AccessCheck } from './client.js';

export interface Rule {
  /** Namespaced rules go in a Role for the app's namespace; cluster rules in a ClusterRole. */
  scope: 'namespace' | 'cluster';
  /** The namespace a namespaced rule applies to (the app's, or Velero's). */
  namespace?: string;
  group: string;
  resource: string;
  verbs: string[];
}

export interface PermissionNeeds {
  namespace: string;
  /** The kinds the system's workloads may be: those listed, or both when a selector or the namespace decides. */
  workloadResources: readonly ('deployments' | 'statefulsets')[];
  /** What the configured drills ask of the platform (each drill declares its operations). */
  operations: readonly PlatformOperation[];
  /** For disaster-recovery with Velero. */
  veleroNamespace?: string | undefined;
  /** Namespace of load worker pods, when the load runs as a Job. */
  workersNamespace?: string | undefined;
}

export function requiredRules(n: PermissionNeeds): Rule[] {
  const rules: Rule[] = [];
  const add = (scope: Rule['scope'], group: string, resource: string, verbs: string[], namespace?: string): void => {
    const ns = scope === 'namespace' ? (namespace ?? n.namespace) : undefined;
    const existing = rules.find((r) => r.scope === scope && r.group === group && r.resource === resource && r.namespace === ns);
    if (existing) existing.verbs = [...new Set([...existing.verbs, ...verbs])].sort();
    else rules.push({ scope, group, resource, verbs: [...verbs].sort(), ...(ns ? { namespace: ns } : {}) });
  };
  // Observing: the system's workloads (listed: found, and waited for), their pods, the nodes, the namespace's
  // events; the permission check itself.
  for (const r of n.workloadResources) add('namespace', 'apps', r, ['list']);
  add('namespace', '', 'pods', ['list', 'watch']);
  add('namespace', '', 'events', ['list', 'watch']);
  add('cluster', '', 'nodes', ['list', 'watch']);
  add('cluster', 'authorization.k8s.io', 'selfsubjectaccessreviews', ['create']);
  // Explaining a failed drill audits the namespace: its workloads, budgets, autoscalers, backup schedules and
  // the nodes' capacity (reads only).
  add('namespace', 'apps', 'deployments', ['list']);
  add('namespace', 'apps', 'statefulsets', ['list']);
  add('namespace', 'policy', 'poddisruptionbudgets', ['list']);
  add('namespace', 'autoscaling', 'horizontalpodautoscalers', ['list']);
  add('cluster', '', 'pods', ['list']);
  if (n.veleroNamespace) add('namespace', 'velero.io', 'schedules', ['list'], n.veleroNamespace);
  const has = (op: PlatformOperation): boolean => n.operations.includes(op);
  if (n.workersNamespace) {
    add('namespace', 'batch', 'jobs', ['create', 'delete'], n.workersNamespace);
    add('namespace', '', 'configmaps', ['create', 'delete'], n.workersNamespace);
    add('namespace', '', 'pods', ['list', 'delete'], n.workersNamespace);
    add('namespace', '', 'pods/log', ['get'], n.workersNamespace);
  }
  if (has('usage')) {
    add('namespace', 'metrics.k8s.io', 'pods', ['list']);
    add('cluster', '', 'pods', ['list']);
  }
  if (has('rollout') || has('scale')) for (const r of n.workloadResources) add('namespace', 'apps', r, ['get', 'patch']);
  if (has('drain')) {
    add('cluster', '', 'nodes', ['get', 'patch']);
    add('cluster', '', 'pods', ['list']);
    add('cluster', '', 'pods/eviction', ['create']);
    add('cluster', 'policy', 'poddisruptionbudgets', ['list']);
  }
  if (has('fail-zone')) {
    add('cluster', '', 'nodes', ['get', 'patch']);
    add('namespace', '', 'pods', ['delete']);
  }
  if (has('kill')) add('namespace', '', 'pods', ['delete']);
  if (has('destroy') || has('deploy')) add('cluster', '', 'namespaces', ['get', 'delete']);

  if (has('backup') && n.veleroNamespace) {
    add('namespace', 'velero.io', 'backups', ['create', 'get', 'list'], n.veleroNamespace);
    add('namespace', 'velero.io', 'restores', ['create', 'get'], n.veleroNamespace);
  }
  return rules;
}

/** One SelfSubjectAccessReview per verb and resource. */
export function accessChecks(rules: Rule[]): AccessCheck[] {
  return rules.flatMap((r) => {
    const [resource, subresource] = r.resource.split('/');
    return r.verbs.map((verb) => ({
      verb,
      group: r.group,
      resource: resource!,
      ...(subresource ? { subresource } : {}),
      ...(r.namespace ? { namespace: r.namespace } : {}),
    }));
  });
}

/** Role(s) and a ClusterRole as YAML, for `golive rbac`. */
export function rbacYaml(rules: Rule[], name = 'golive'): string {
  const render = (list: Rule[]): string =>
    list.map((r) => `  - apiGroups: ["${r.group}"]\n    resources: ["${r.resource}"]\n    verbs: [${r.verbs.map((v) => `"${v}"`).join(', ')}]`).join('\n');
  const docs: string[] = [];
  const namespaces = [...new Set(rules.filter((r) => r.scope === 'namespace').map((r) => r.namespace!))];
  for (const ns of namespaces) {
    docs.push(
      `apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: ${name}\n  namespace: ${ns}\nrules:\n${render(rules.filter((r) => r.namespace === ns))}`,
    );
  }
  const cluster = rules.filter((r) => r.scope === 'cluster');
  if (cluster.length) docs.push(`apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: ${name}\nrules:\n${render(cluster)}`);
  return `# The permissions golive uses for the configured drills; bind them to the identity golive runs as.\n${docs.join('\n---\n')}\n`;
}
