import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { test } from 'node:test';
import { validateConfig } from '../../../src/config/load-config.js';
import { loadWorkers } from '../../../src/run/plan.js';

const workersFor = (load: Record<string, unknown>): { kind: string; count: number } =>
  loadWorkers(validateConfig({ target: { url: 'http://127.0.0.1:1' }, load }, 'inline'));

test('threads by default: one per 10,000 requests a second of the open model, up to the cores; the cores for VUs', () => {
  const cores = Math.max(1, availableParallelism());
  assert.deepEqual(workersFor({}), { kind: 'threads', count: 1 }, 'the default 50 req/s');
  assert.deepEqual(workersFor({ rate: 100 }), { kind: 'threads', count: 1 });
  assert.equal(workersFor({ rate: 10_001 }).count, Math.min(cores, 2));
  assert.equal(
    workersFor({
      executor: 'ramping-arrival-rate',
      stages: [
        { duration: '10s', target: 500 },
        { duration: '10s', target: 45_000 },
      ],
    }).count,
    Math.min(cores, 5),
  );
  // A journey's steps are requests too: 3,000 journeys a second of 5 steps is 15,000 requests a second.
  const journey = { name: 'buy', steps: Array.from({ length: 5 }, (_, i) => ({ name: `s${i}`, url: `/s${i}` })) };
  assert.equal(workersFor({ rate: 3000, journeys: [journey] }).count, Math.min(cores, 2));
  assert.equal(workersFor({ executor: 'constant-vus', vus: 10 }).count, cores);
  assert.equal(workersFor({ rate: 100, threads: 3 }).count, 3, 'load.threads decides when given');
});
