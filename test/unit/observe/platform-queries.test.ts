import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allQueries } from '../../../src/observe/platform-queries.js';
import { validateConfig } from '../../../src/config/load-config.js';

function resolved(observe: unknown, platform?: unknown) {
  const c = validateConfig({ target: { url: 'http://127.0.0.1:1' }, ...(platform ? { platform } : {}), observe }, 'inline');
  return allQueries(c.observe!.prometheus!, c.platform);
}

test("on kubernetes golive adds the workload's own signals, in the app's namespace, unless defaults: false", () => {
  const k8s = { kind: 'kubernetes', namespace: 'shop', workload: { kind: 'Deployment', name: 'web' } };
  const q = resolved({ prometheus: { url: 'http://p:9090', queries: [{ name: 'mine', query: 'up' }] } }, k8s);
  assert.deepEqual(
    q.map((x) => x.name),
    ['mine', 'node CPU busy', 'node memory used', 'workload CPU throttled', 'workload restarts', 'pending pods'],
  );
  assert.match(q.find((x) => x.name === 'pending pods')!.query, /^sum\(kube_pod_status_phase\{namespace="shop",phase="Pending"\}\)$/);
  assert.ok(
    q.slice(1).every((x) => x.optional && x.objective === undefined),
    'defaults are shown, never judged',
  );
  assert.deepEqual(
    resolved({ prometheus: { url: 'http://p:9090', defaults: false, queries: [{ name: 'mine', query: 'up' }] } }, k8s).map((x) => x.name),
    ['mine'],
  );
});

test("a component's selector is added to each metric's own matchers", () => {
  const q = resolved({ prometheus: { url: 'http://p:9090', components: [{ name: 'logging', selector: '{namespace="logging", app="fluent-bit"}' }] } });
  assert.equal(
    q.find((x) => x.name === 'logging CPU of limit')!.query,
    'sum(rate(container_cpu_usage_seconds_total{namespace="logging", app="fluent-bit",container!=""}[1m])) / sum(kube_pod_container_resource_limits{namespace="logging", app="fluent-bit",resource="cpu"})',
  );
  assert.equal(q.find((x) => x.name === 'logging restarts')!.query, 'sum(kube_pod_container_status_restarts_total{namespace="logging", app="fluent-bit"})');
});
