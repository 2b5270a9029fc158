/**
 * Queries golive adds on its own: on Kubernetes, the signals that exist wherever kube-state-metrics,
 * cAdvisor and node-exporter run (each "not available" when its metrics do not), and for every supporting
 * component the user names (logging, the ingress controller, a database), its CPU, memory, restarts and
 * throttling against its limits.
 */
import type { ResolvedConfig } from '../config/schema.js';

type PrometheusConfig = NonNullable<NonNullable<ResolvedConfig['observe']>['prometheus']>;
export type PlatformQuery = PrometheusConfig['queries'][number] & { optional?: true };

/** `{namespace="logging"}` → `namespace="logging"`, to add to a metric's own matchers. */
function matchers(selector: string): string {
  return selector.trim().replace(/^\{/, '').replace(/\}$/, '').trim();
}

function workloadQueries(namespace: string): PlatformQuery[] {
  const ns = `namespace="${namespace.replace(/["\\]/g, '\\$&')}"`;
  return [
    { name: 'node CPU busy', query: '1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[1m]))', unit: 'of the node', optional: true },
    { name: 'node memory used', query: '1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes', unit: 'of the node', optional: true },
    {
      name: 'workload CPU throttled',
      query: `sum by (pod) (rate(container_cpu_cfs_throttled_periods_total{${ns},container!=""}[1m])) / sum by (pod) (rate(container_cpu_cfs_periods_total{${ns},container!=""}[1m]))`,
      unit: 'of periods',
      optional: true,
    },
    { name: 'workload restarts', query: `sum(kube_pod_container_status_restarts_total{${ns}})`, optional: true },
    { name: 'pending pods', query: `sum(kube_pod_status_phase{${ns},phase="Pending"})`, optional: true },
  ];
}

function componentQueries(c: { name: string; selector: string }): PlatformQuery[] {
  const m = matchers(c.selector);
  const sel = (extra: string): string => `{${[m, extra].filter(Boolean).join(',')}}`;
  return [
    {
      name: `${c.name} CPU of limit`,
      query: `sum(rate(container_cpu_usage_seconds_total${sel('container!=""')}[1m])) / sum(kube_pod_container_resource_limits${sel('resource="cpu"')})`,
      unit: 'of its limit',
      optional: true,
    },
    {
      name: `${c.name} memory of limit`,
      query: `sum(container_memory_working_set_bytes${sel('container!=""')}) / sum(kube_pod_container_resource_limits${sel('resource="memory"')})`,
      unit: 'of its limit',
      optional: true,
    },
    { name: `${c.name} restarts`, query: `sum(kube_pod_container_status_restarts_total${sel('')})`, optional: true },
    {
      name: `${c.name} CPU throttled`,
      query: `sum(rate(container_cpu_cfs_throttled_periods_total${sel('container!=""')}[1m])) / sum(rate(container_cpu_cfs_periods_total${sel('container!=""')}[1m]))`,
      unit: 'of periods',
      optional: true,
    },
  ];
}

/** The user's queries, then the platform's defaults (Kubernetes, unless `defaults: false`), then each component's. */
export function allQueries(cfg: PrometheusConfig, platform: ResolvedConfig['platform']): PlatformQuery[] {
  return [
    ...cfg.queries,
    ...(cfg.defaults && platform?.kind === 'kubernetes' ? workloadQueries(platform.namespace) : []),
    ...(cfg.components ?? []).flatMap(componentQueries),
  ];
}
