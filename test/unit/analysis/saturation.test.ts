import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { saturationOf } from '../../../src/analysis/saturation.js';
import type { CapacityReport } from '../../../src/model/result.js';

const spare: CapacityReport = {
  samples: 10,
  cpu: { peakMillicores: 300, requestMillicores: null, limitMillicores: null, peakOfLimit: null },
  replicas: [
    { id: 'r1', peakMillicores: 300, peakMiB: 40 },
    { id: 'r2', peakMillicores: 250, peakMiB: 40 },
  ],
  service: { thread: "the Service's proxy thread", peakMillicores: 400 },
  golive: { peakMillicores: 500 },
  machine: { cores: 2, peakBusy: 0.6 },
};
const onTime = { lagged: false, lagP99Ms: 2, dropped: 0 };
const late = { lagged: true, lagP99Ms: 180, dropped: 0 };

describe('what limited a capacity drill', () => {
  test('nothing, when everything had CPU to spare and starts were on time', () => {
    const s = saturationOf(spare, onTime);
    assert.deepEqual(s.limitedBy, []);
    assert.match(s.notes[0]!, /nothing was saturated/);
  });

  test('the generator, only when starts were late and nothing else was busy', () => {
    const s = saturationOf(spare, late);
    assert.deepEqual(s.limitedBy, ['generator']);
    assert.match(s.notes.join(' '), /180 ms late .*the load generator was saturated/);
  });

  test('the Service, when its proxy thread used a whole core: late starts are not blamed on the generator', () => {
    const s = saturationOf({ ...spare, service: { thread: "the Service's proxy thread", peakMillicores: 970 } }, late);
    assert.deepEqual(s.limitedBy, ['service']);
    assert.match(s.notes.join(' '), /proxy thread used 97 % of a core/);
    assert.match(s.notes.join(' '), /consequence of the above rather than of the generator/);
  });

  test('the application, at 90 % of its CPU limit, or at a whole core without one', () => {
    const limited = saturationOf({ ...spare, cpu: { ...spare.cpu!, limitMillicores: 300 } }, onTime);
    assert.deepEqual(limited.limitedBy, ['application']);
    assert.match(limited.notes[0]!, /replica r1 used 300m of its 300m CPU limit/);
    const core = saturationOf({ ...spare, replicas: [{ id: 'r2', peakMillicores: 995, peakMiB: 40 }] }, onTime);
    assert.deepEqual(core.limitedBy, ['application']);
    // A multi-threaded server at 3 cores without a limit is not taken as saturated at one.
    const wide = saturationOf({ ...spare, replicas: [{ id: 'r2', peakMillicores: 3000, peakMiB: 40 }] }, onTime);
    assert.deepEqual(wide.limitedBy, []);
  });

  test('on Kubernetes, the component whose pod reached 90 % of its own CPU limit, named; the others are not blamed', () => {
    const usage = (name: string, peak: number, limit: number | null) => ({
      name,
      cpu: { peakMillicores: peak, requestMillicores: 100, limitMillicores: limit, peakOfLimit: limit ? peak / limit : null },
      memory: { peakMiB: 40, requestMiB: 64, limitMiB: 128, peakOfLimit: 0.31 },
    });
    const k8s: CapacityReport = { samples: 4, components: [usage('front', 120, 500), usage('api', 470, 500), usage('store', 900, null)] };
    const s = saturationOf(k8s, late);
    assert.deepEqual(s.limitedBy, ['application']);
    assert.deepEqual(s.notes.slice(0, 1), ['a pod of api used 470m of its 500m CPU limit at peak: api limited the load']);
    assert.deepEqual(saturationOf({ ...k8s, components: [usage('front', 120, 500)] }, onTime).limitedBy, []);
  });

  test('the machine, when its cores were busy: everything competed', () => {
    const s = saturationOf({ ...spare, machine: { cores: 2, peakBusy: 0.97 } }, late);
    assert.deepEqual(s.limitedBy, ['machine']);
    assert.match(s.notes[0]!, /2 cores were 97 % busy/);
  });

  test('in a system of components, each replica is judged against its own component: the api at its limit, not the store under a bigger one', () => {
    const usage = (peakMillicores: number, limitMillicores: number | null) => ({
      cpu: { peakMillicores, requestMillicores: null, limitMillicores, peakOfLimit: limitMillicores ? peakMillicores / limitMillicores : null },
      memory: { peakMiB: 40, requestMiB: null, limitMiB: null, peakOfLimit: null },
    });
    const system: CapacityReport = {
      ...spare,
      components: [
        { name: 'store', ...usage(600, 2000) },
        { name: 'api', ...usage(480, 500) },
      ],
      replicas: [
        { id: 'store-r1-1', peakMillicores: 600, peakMiB: 40 },
        { id: 'api-r1-1', peakMillicores: 480, peakMiB: 40 },
        { id: 'api-r1-2', peakMillicores: 300, peakMiB: 40 },
      ],
    };
    const s = saturationOf(system, onTime);
    assert.deepEqual(s.limitedBy, ['application']);
    assert.match(s.notes.join(' '), /replica api-r1-1 \(component api\) used 480m of its 500m CPU limit at peak/);
  });
});
