/**
 * A system of components on the local platform, built of parts nobody here wrote: Debian's nginx as the
 * front, a small API (test/fixtures/three-tier/api.mjs), Debian's redis-server as the store, pinned to one
 * zone as a zonal volume pins a database. Each component has its own replicas, Service and probe, and finds
 * the others through {{components.NAME.…}}.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import type { GoliveConfigInput } from '../../src/config/schema.js';
import type { DisasterRecoveryDetails } from '../../src/drills/disaster-recovery.js';
import { isUsageDetails } from '../../src/model/result.js';
import { run } from '../../src/run/run.js';
import { PACKAGE_ROOT } from '../../src/package-root.js';
import { tempDir } from '../helpers/temp-dir.js';

const FIXTURE = path.join(PACKAGE_ROOT, 'test', 'fixtures', 'three-tier');
const REDIS = '/usr/bin/redis-server';
const missing = ['/usr/sbin/nginx', REDIS, '/usr/bin/redis-cli'].find((f) => !existsSync(f));

function system(drills: Record<string, unknown>, o: { storeZones?: string[]; dumpOnly?: boolean } = {}): { cwd: string; config: GoliveConfigInput } {
  const cwd = tempDir('golive-components-');
  mkdirSync(path.join(cwd, 'redis-data'));
  return {
    cwd,
    config: {
      name: 'three-tier',
      load: { rate: 50, threads: 1, connections: 8, timeout: '3s', requests: [{ url: '/items/1', check: { status: [200, 404] } }] },
      platform: {
        kind: 'local',
        entry: 'front',
        components: {
          front: {
            command: path.join(FIXTURE, 'run-front.sh'),
            replicas: 2,
            env: { API_URL: '{{components.api.url}}' },
            readiness: { tcp: true, period: '200ms' },
            terminationGrace: '3s',
          },
          api: {
            command: `node ${path.join(FIXTURE, 'api.mjs')}`,
            replicas: 3,
            env: { REDIS_HOST: '{{components.store.host}}', REDIS_PORT: '{{components.store.port}}' },
            readiness: { path: '/readyz', period: '200ms', failureThreshold: 1 },
            terminationGrace: '3s',
          },
          store: {
            // Durable on every write (AOF), or (dumpOnly) only when told to SAVE: its files alone then hold nothing.
            command: `exec ${REDIS} --port $PORT --bind 127.0.0.1 --dir $GOLIVE_DATA_DIR --save '' ${o.dumpOnly ? '--appendonly no' : '--appendonly yes --appendfsync always'}`,
            ...(o.dumpOnly ? { backup: { run: 'redis-cli -p $PORT SAVE' } } : {}),
            replicas: 1,
            readiness: { exec: 'redis-cli -p $PORT ping | grep -q PONG', period: '200ms' },
            dataDir: './redis-data',
            terminationGrace: '3s',
            ...(o.storeZones ? { zones: o.storeZones } : {}),
          },
        },
        cluster: { nodes: 3, zones: 3, detectionDelay: '1s' },
      },
      output: { dir: path.join(cwd, 'results') },
      allowDestroy: true,
      drills,
    },
  };
}

const short = { baseline: '1s', tail: '1s' };

describe('a system of components on the local platform (nginx → API → Redis)', { skip: missing ? `${missing} is not installed` : false }, () => {
  test('it starts in the order references imply; app-update of the api restarts only its replicas; capacity names each component', async () => {
    const { cwd, config } = system({ capacity: { duration: '2s' }, 'app-update': { ...short, component: 'api' } });
    const outcome = await run({ cwd, config });
    const [capacity, update] = outcome.result.drills;
    assert.equal(capacity!.error, undefined, JSON.stringify(capacity!.events.slice(-5)));
    assert.equal(capacity!.requests.failed, 0, JSON.stringify(capacity!.requests.byOutcome));
    const usage = capacity!.capacity;
    assert.ok(isUsageDetails(usage) && usage.components, JSON.stringify(usage));
    assert.deepEqual(usage.components.map((c) => c.name).sort(), ['api', 'front', 'store']);
    assert.ok(
      usage.components.every((c) => c.memory.peakMiB > 0),
      JSON.stringify(usage.components),
    );
    assert.deepEqual(Object.keys(capacity!.placement!.byComponent ?? {}).sort(), ['api', 'front', 'store']);

    assert.equal(update!.error, undefined, JSON.stringify(update!.events.slice(-5)));
    assert.equal(update!.requests.failed, 0, JSON.stringify(update!.downtime.windows));
    const started = update!.events.filter((e) => e.kind === 'replica.starting').map((e) => e.subject ?? '');
    assert.ok(started.length >= 3, started.join(', '));
    assert.ok(
      started.every((id) => id.startsWith('api-r2-')),
      `only the api's replicas are replaced: ${started.join(', ')}`,
    );
  });

  test('losing the zone of a store pinned there: an outage whose events name the store, until the zone is back', async () => {
    const { cwd, config } = system(
      { 'zone-outage': { ...short, zone: 'zone-a', outage: '3s', objectives: { maxDowntime: '0s' } } },
      { storeZones: ['zone-a'] },
    );
    const outcome = await run({ cwd, config });
    const d = outcome.result.drills[0]!;
    assert.equal(d.error, undefined, JSON.stringify(d.events.slice(-8)));
    assert.equal(d.passed, false, 'the store was down while its zone was');
    assert.ok(d.downtime.totalMs >= 1500, `downtime ${d.downtime.totalMs} ms while the store's zone was lost for 3 s`);
    const stuck = d.events.find((e) => e.kind === 'zone.stuck');
    assert.match(stuck?.message ?? '', /^store can run only in zone-a: it comes back with the zone$/);
    const longest = [...d.downtime.windows].sort((a, b) => b.endMs - b.startMs - (a.endMs - a.startMs))[0]!;
    assert.ok(
      longest.events.some((e) => /store/.test(`${e.subject ?? ''} ${e.message}`)),
      `the outage window names the store: ${JSON.stringify(longest.events)}`,
    );
    assert.ok(d.events.some((e) => e.kind === 'zone.restored'));
    assert.ok(
      d.events.some((e) => e.kind === 'replica.ready' && e.subject?.startsWith('store-') && e.atMs > (stuck?.atMs ?? 0)),
      'the store is ready again once its zone is back',
    );
  });

  test("disaster-recovery restores the store's data: every write acknowledged through front → api → store before the backup reads back", async () => {
    const { cwd, config } = system({ 'disaster-recovery': { ...short, afterBackup: '1s', canary: { rate: 20 } } });
    const outcome = await run({ cwd, config });
    const d = outcome.result.drills[0]!;
    assert.equal(d.error, undefined, JSON.stringify(d.events.slice(-8)));
    const r = d.recovery!;
    assert.ok(r.ackedWrites >= 20, JSON.stringify(r));
    assert.equal(r.lostBeforeBackup, 0, 'the backup holds every write acknowledged before it');
    const details = d.capacity as DisasterRecoveryDetails;
    assert.ok(details.ackedBeforeBackup >= 10, JSON.stringify({ ...details, canary: undefined }));
    assert.ok(r.lostWrites <= details.ackedAfterBackup + details.ackedDuringBackup, JSON.stringify(r));
    assert.ok(
      d.events.some((e) => e.kind === 'backup.completed' && /store \(.*redis-data\)/.test(e.message)),
      JSON.stringify(d.events.filter((e) => e.kind.startsWith('backup'))),
    );
  });

  test("a store's own dump (backup: { run }) is what the backup holds: a Redis that writes nothing to disk by itself keeps every write acknowledged before it", async () => {
    const { cwd, config } = system({ 'disaster-recovery': { ...short, afterBackup: '1s', canary: { rate: 20 } } }, { dumpOnly: true });
    const outcome = await run({ cwd, config });
    const d = outcome.result.drills[0]!;
    assert.equal(d.error, undefined, JSON.stringify(d.events.slice(-8)));
    const r = d.recovery!;
    assert.ok(r.ackedBeforeBackup! >= 10, JSON.stringify(r));
    assert.equal(r.lostBeforeBackup, 0, 'SAVE before the copy: the dump holds every write acknowledged before the backup');
    assert.ok(r.lostWrites > 0, 'the writes after the dump are lost: the store writes nothing to disk by itself');
    assert.ok(
      d.events.some((e) => e.kind === 'hook.output' && /OK/.test(e.message)),
      'redis-cli SAVE answered OK',
    );
  });
});
