import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { run } from '../../src/run/run.js';
import { k8sConfig, mutations, startStandInCluster, type StandInCluster } from '../k8s/cluster-fixture.js';

describe('kubernetes: app-update against the stand-in API server', () => {
  let c: StandInCluster;
  before(async () => {
    c = await startStandInCluster({ replicas: 3 });
  });
  after(() => c.close());

  test('restart by pod-template annotation, wait as kubectl rollout status does, no failed request', async () => {
    const outcome = await run({ cwd: c.dir, config: k8sConfig(c, { 'app-update': { baseline: '1s', tail: '1s', objectives: { maxFailedRequests: 0 } } }) });
    const d = outcome.result.drills[0]!;
    assert.equal(d.error, undefined, JSON.stringify(d.events.slice(-5)));
    assert.equal(d.requests.failed, 0);
    assert.deepEqual(mutations(c.api), ['patch deployments web']);
    const patch = c.api.requests.find((r) => r.verb === 'patch')!;
    assert.equal(patch.contentType, 'application/strategic-merge-patch+json');
    const kinds: string[] = d.events.map((e) => e.kind);
    for (const k of ['rollout.started', 'pod.created', 'pod.scheduled', 'pod.ready', 'pod.terminating', 'pod.deleted', 'rollout.completed'])
      assert.ok(kinds.includes(k), `${k} in ${[...new Set(kinds)].join(', ')}`);
    assert.equal(outcome.result.platform.kind, 'kubernetes');
    assert.equal(outcome.result.platform.context, 'standin');
  });
});
