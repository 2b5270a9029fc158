import assert from 'node:assert/strict';
import { test } from 'node:test';
import { run } from '../../src/run/run.js';
import type { UsageDetails } from '../../src/model/result.js';
import { APP, k8sConfig, NAMESPACE, startStandInCluster } from '../k8s/cluster-fixture.js';

test('capacity on kubernetes: usage from metrics.k8s.io against requests and limits, N-1 headroom, objectives', async () => {
  // 3 zones × 1 node of 4 CPUs; 3 pods requesting 500m each.
  const c = await startStandInCluster({ replicas: 3, zones: 3 });
  try {
    const config = k8sConfig(c, { capacity: { duration: '2s', objectives: { maxCpuOfLimit: 0.5, maxMemoryOfLimit: 0.5 } } });
    const d = (await run({ cwd: c.dir, config })).result.drills[0]!;
    assert.equal(d.error, undefined);
    const cap = d.capacity as {
      samples: number;
      cpu: { peakMillicores: number; requestMillicores: number; limitMillicores: number; peakOfLimit: number };
      memory: { peakOfLimit: number };
      headroom: { largestNode: { fits: boolean }; largestZone: { name: string; fits: boolean } };
    };
    assert.ok(cap.samples >= 1);
    assert.deepEqual(cap.cpu, { peakMillicores: 180, requestMillicores: 500, limitMillicores: 1000, peakOfLimit: 0.18 });
    assert.equal(cap.memory.peakOfLimit, 0.547);
    assert.equal(cap.headroom.largestNode.fits, true);
    assert.equal(cap.headroom.largestZone.fits, true);
    assert.deepEqual(
      d.objectives.filter((o) => !o.default).map((o) => [o.name, o.measured, o.passed]),
      [
        ['CPU of limit', '18.0 % at peak', true],
        ['memory of limit', '54.7 % at peak', false],
      ],
    );
    // No error objective was set: golive's default judges errors, and requests were answered.
    assert.deepEqual(
      d.objectives.filter((o) => o.default).map((o) => [o.name, o.passed]),
      [
        ['error rate', true],
        ['requests answered', true],
      ],
    );

    // Without metrics-server the usage is "not measured", never zero, and its objectives fail.
    c.api.metricsServer = false;
    const e = (await run({ cwd: c.dir, config })).result.drills[0]!;
    assert.match((e.capacity as { usageUnavailable: string }).usageUnavailable, /metrics\.k8s\.io is not served: install metrics-server/);
    assert.deepEqual(
      e.objectives.filter((o) => !o.default).map((o) => o.passed),
      [false, false],
    );
    assert.match(e.objectives.find((o) => o.name === 'CPU of limit')!.measured, /^not measured: metrics\.k8s\.io is not served/);
    assert.ok(e.findings.some((f) => f.id === 'usage-not-measured'));
  } finally {
    await c.close();
  }
});

test('capacity of a system on kubernetes: each component against its own limits, the objective judges the one nearest its limit, the one at its limit is named', async () => {
  const c = await startStandInCluster({ replicas: 3, zones: 3 });
  try {
    // A second Deployment with other limits, using more of them: the api limits the load, not the web front.
    const web = c.api.get('deployments', NAMESPACE, APP)!;
    const apiLabels = { app: 'api' };
    const template = web['spec'].template;
    c.api.put('deployments', {
      metadata: { name: 'api', namespace: NAMESPACE },
      spec: {
        ...web['spec'],
        replicas: 2,
        selector: { matchLabels: apiLabels },
        template: {
          metadata: { labels: apiLabels },
          spec: {
            containers: [
              { ...template.spec.containers[0], resources: { requests: { cpu: '250m', memory: '64Mi' }, limits: { cpu: '500m', memory: '256Mi' } } },
            ],
          },
        },
      },
      status: {},
    });
    c.api.usage = (pod) => (pod.metadata.name.startsWith('api-') ? { cpu: '475m', memory: '100Mi' } : { cpu: '180m', memory: '70Mi' });
    const config = k8sConfig(c, { capacity: { duration: '2s', objectives: { maxCpuOfLimit: 0.8 } } });
    const platform = { ...(config.platform as object), workload: undefined, entry: APP };
    const d = (await run({ cwd: c.dir, config: { ...config, platform } as typeof config })).result.drills[0]!;
    assert.equal(d.error, undefined);
    const cap = d.capacity as UsageDetails;
    assert.deepEqual(cap.components, [
      {
        name: 'web',
        cpu: { peakMillicores: 180, requestMillicores: 500, limitMillicores: 1000, peakOfLimit: 0.18 },
        memory: { peakMiB: 70, requestMiB: 64, limitMiB: 128, peakOfLimit: 0.547 },
      },
      {
        name: 'api',
        cpu: { peakMillicores: 475, requestMillicores: 250, limitMillicores: 500, peakOfLimit: 0.95 },
        memory: { peakMiB: 100, requestMiB: 64, limitMiB: 256, peakOfLimit: 0.391 },
      },
    ]);
    const api = cap.components[1]!;
    assert.deepEqual([cap.cpu, cap.memory], [api.cpu, api.memory], 'the top figures are the component nearest its CPU limit');
    assert.deepEqual(
      d.objectives.filter((o) => !o.default).map((o) => [o.name, o.measured, o.passed]),
      [['CPU of limit', '95.0 % at peak', false]],
    );
    assert.deepEqual(cap.saturation?.limitedBy, ['application']);
    assert.ok(cap.saturation.notes.includes('a pod of api used 475m of its 500m CPU limit at peak: api limited the load'), cap.saturation.notes.join('\n'));
  } finally {
    await c.close();
  }
});
