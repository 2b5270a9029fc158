import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rbacYaml, requiredRules } from '../../src/platforms/kubernetes/permissions.js';

test('rbac: load workers as a Job add jobs, configmaps, pods and pods/log in their namespace', () => {
  const base = { namespace: 'shop', workloadResource: 'deployments' as const, operations: ['rollout' as const] };
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
