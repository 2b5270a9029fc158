import assert from 'node:assert/strict';
import { test } from 'node:test';
import { run } from '../../src/run/run.js';
import { k8sConfig, mutations, startStandInCluster } from '../k8s/cluster-fixture.js';

test('load workers as a Kubernetes Indexed Job: pods run the worker, their logs are followed and merged, everything cleaned up', async () => {
  const c = await startStandInCluster({ replicas: 2, zones: 2 });
  try {
    const config = k8sConfig(c, { capacity: { duration: '3s' } });
    config.load = {
      ...config.load,
      rate: 200,
      workers: { kind: 'kubernetes', count: 2, startLead: '2s', image: 'golive:test', command: ['golive', 'worker'] },
    };
    const before = c.controller.serviceRequests;
    const outcome = await run({ cwd: c.dir, config });
    const d = outcome.result.drills[0]!;
    assert.equal(d.error, undefined, JSON.stringify(d.events.slice(-5)));
    assert.equal(d.load.workers.kind, 'kubernetes');
    assert.ok(Math.abs(d.requests.total - 600) <= 12, `${d.requests.total} requests for 3 s at 200 req/s`);
    assert.equal(c.controller.serviceRequests - before, d.requests.total, 'what the Service received is what the workers counted');
    assert.equal(d.generator.startOffsetsMs.length, 2);
    assert.ok(
      d.generator.startOffsetsMs.every((o) => o !== null && o >= 0 && o < 1000),
      `start offsets ${JSON.stringify(d.generator.startOffsetsMs)}`,
    );
    assert.deepEqual(d.generator.lostWorkers, []);
    const calls = mutations(c.api);
    const job = calls.find((x) => x.startsWith('create jobs'));
    assert.ok(calls.some((x) => x.startsWith('create configmaps')) && job, calls.join('\n'));
    assert.ok(calls.some((x) => x.startsWith('delete jobs')) && calls.some((x) => x.startsWith('delete configmaps')), 'the Job and ConfigMap are removed');
    assert.equal(c.api.list('jobs').length, 0);
    assert.equal(c.api.list('configmaps').length, 0);
    const logReads = c.api.requests.filter((r) => r.resource === 'pods/log');
    assert.equal(logReads.length, 2, 'one followed log per worker pod');
  } finally {
    await c.close();
  }
});

test('a worker pod that dies mid-run is reported and its segment counted as dropped', async () => {
  const c = await startStandInCluster({ replicas: 2, zones: 2 });
  try {
    const config = k8sConfig(c, { capacity: { duration: '4s' } });
    config.load = {
      ...config.load,
      rate: 200,
      workers: { kind: 'kubernetes', count: 2, startLead: '1500ms', image: 'golive:test', command: ['golive', 'worker'] },
    };
    const killer = setInterval(() => {
      const pod = c.api
        .list('pods', 'shop')
        .find((p) => p.metadata.labels?.['batch.kubernetes.io/job-completion-index'] === '1' && p['status']?.phase === 'Running');
      // Two seconds into the load: the node under it is gone, no SIGTERM, no final snapshot.
      if (pod && Date.now() - Date.parse(pod.metadata['creationTimestamp']) > 3500 && c.controller.killPodProcess('shop', pod.metadata.name))
        clearInterval(killer);
    }, 50);
    const d = (await run({ cwd: c.dir, config })).result.drills[0]!;
    clearInterval(killer);
    assert.equal(d.generator.lostWorkers.length, 1, JSON.stringify(d.generator));
    assert.match(d.generator.lostWorkers[0]!.reason, /pod golive-load-\w+-1 ended without finishing/);
    assert.ok(d.generator.lostWorkers[0]!.droppedStarts > 50, `${d.generator.lostWorkers[0]!.droppedStarts} starts dropped`);
    assert.equal(d.generator.bound, true);
    // The drill ran without its whole load: not completed, never judged a pass.
    assert.match(
      d.error ?? '',
      /load worker 1 of 2 pod .* ended without finishing at \d+\.\d s: its \d+ remaining starts were never sent, so the drill did not run the planned load/,
    );
    assert.equal(d.passed, false);
    assert.match(d.generator.warnings.join('\n'), /load worker 1 of 2 \(kubernetes\) pod .* ended without finishing/);
    assert.equal(c.api.list('jobs').length, 0, 'cleaned up all the same');
  } finally {
    await c.close();
  }
});
