import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rbacYaml, requiredRules } from '../../src/platforms/kubernetes/permissions.js';
import type { PlatformOperation } from '../../src/platforms/platform.js';

test('rbac: load workers as a Job add jobs, configmaps, pods and pods/log in their namespace', () => {
  const base = { namespace: 'shop', workloadResources: ['deployments' as const], operations: ['rollout' as const] };
  const without = requiredRules(base);
  const withWorkers = requiredRules({ ...base, workersNamespace: 'loadgen' });
  assert.deepEqual(
    without.filter((r) => r.namespace === 'loadgen'),
    [],
  );
  assert.deepEqual(
    withWorkers.filter((r) => r.namespace === 'loadgen').map((r) => `${r.group}/${r.resource}: ${r.verbs.join(',')}`),
    ['batch/jobs: create,delete', '/configmaps: create,delete', '/pods: delete,list', '/pods/log: get'],
  );
  const yaml = rbacYaml(withWorkers);
  assert.match(
    yaml,
    /kind: Role\nmetadata:\n {2}name: golive\n {2}namespace: loadgen\nrules:\n {2}- apiGroups: \["batch"\]\n {4}resources: \["jobs"\]\n {4}verbs: \["create", "delete"\]/,
  );
});

test('rbac: Velero is asked for only when a drill backs up through the platform (Velero), never for hooks or other drills', async () => {
  const { permissionNeeds } = await import('../../src/platforms/kubernetes/kubernetes-platform.js');
  const { kubernetesPlatformSchema } = await import('../../src/platforms/kubernetes/schema.js');
  const config = kubernetesPlatformSchema.parse({ kind: 'kubernetes', namespace: 'shop', workload: { name: 'shop' } });
  const veleroRules = (operations: PlatformOperation[]): string[] =>
    requiredRules(permissionNeeds(config, [{ operations, destroysEnvironment: false }], undefined))
      .filter((r) => r.namespace === 'velero')
      .map((r) => `${r.group}/${r.resource}: ${r.verbs.join(',')}`);
  // app-update, node-drain, zone-outage, capacity, redeploy and disaster-recovery with backup hooks
  for (const ops of [['rollout'], ['drain'], ['fail-zone'], ['usage'], ['destroy', 'deploy'], []] as PlatformOperation[][])
    assert.deepEqual(veleroRules(ops), [], ops.join(','));
  assert.deepEqual(veleroRules(['backup', 'destroy']), ['velero.io/schedules: list', 'velero.io/backups: create,get,list', 'velero.io/restores: create,get']);
});
