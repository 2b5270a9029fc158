/**
 * disaster-recovery against an app that is careless with its data (test/fixtures/lossy-app.mjs): the
 * figures must say what a team needs to know — the backup itself is incomplete, a read that answers
 * `200 []` is a lost write, a recovery point with no surviving prefix is unbounded, never negative —
 * and a drill whose writes are never acknowledged destroys nothing.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { GoliveConfigInput } from '../../src/config/schema.js';
import { run } from '../../src/run/run.js';
import { lossyApp } from '../helpers/local-app.js';

function config(env: Record<string, string>, dr: Record<string, unknown> = {}): { cwd: string; config: GoliveConfigInput } {
  return lossyApp({
    name: 'dr',
    env,
    data: true,
    load: { rate: 50, connections: 4, threads: 1, requests: [{ url: '/' }] },
    terminationGrace: '2s',
    drills: { 'disaster-recovery': { baseline: '1500ms', tail: '300ms', afterBackup: '500ms', recovery: '20s', canary: { rate: 20 }, ...dr } },
  });
}

async function drDrill(env: Record<string, string>, dr?: Record<string, unknown>) {
  const c = config(env, dr);
  const outcome = await run({ cwd: c.cwd, config: c.config });
  return outcome.result.drills[0]!;
}

describe('disaster-recovery figures that hold on a careless app', () => {
  test('writes acknowledged before the backup but not in it: the backup is incomplete, the drill fails by default', async () => {
    // The store reaches the disk only every 10 s: the snapshot holds nothing the app acknowledged.
    const d = await drDrill({ FLUSH_MS: '10000' });
    const r = d.recovery!;
    assert.ok(r.ackedBeforeBackup! >= 20, `${r.ackedBeforeBackup} acknowledged before the backup`);
    assert.equal(r.lostBeforeBackup, r.ackedBeforeBackup, 'none of them is in the backup');
    assert.equal(r.pointMs, null, 'no write survived from the start: the recovery point is unbounded');
    assert.equal(d.passed, false);
    const o = d.objectives.find((x) => x.name === 'lost before the backup')!;
    assert.equal(o.default, true);
    assert.match(
      o.measured,
      new RegExp(`^${r.lostBeforeBackup}: the backup does not hold ${r.lostBeforeBackup} of the ${r.ackedBeforeBackup} writes acknowledged before it$`),
    );
    assert.ok(d.events.some((e) => e.kind === 'canary.verified' && /the backup does not hold \d+ of the \d+ writes acknowledged before it/.test(e.message)));
  });

  test('an unbounded recovery point fails any maxRecoveryPoint', async () => {
    const d = await drDrill({ FLUSH_MS: '10000' }, { objectives: { maxRecoveryPoint: '1h', maxLostBeforeBackup: 1000 } });
    assert.equal(d.recovery!.pointMs, null);
    const o = d.objectives.find((x) => x.name === 'recovery point')!;
    assert.deepEqual([o.measured, o.passed], ['unbounded: the first acknowledged write is lost', false]);
  });

  test('a read answering 200 [] for a missing write is a lost write when the read has a check', async () => {
    const read = { url: '/items/{{seq}}', check: { bodyContains: '"seq"' } };
    const d = await drDrill({ FLUSH_MS: '10000', READ_MISSING: 'empty' }, { canary: { rate: 20, read } });
    assert.ok(d.recovery!.lostWrites > 0 && d.recovery!.lostWrites === d.recovery!.ackedWrites, JSON.stringify(d.recovery));
  });

  test('slow acknowledgements never make the recovery point negative: the disaster is when writing stopped', async () => {
    // Every write is acknowledged 300 ms late, so some are still in flight when the writer stops.
    const d = await drDrill({ ACK_DELAY_MS: '300' }, { objectives: { maxRecoveryPoint: '1m' } });
    assert.equal(d.error, undefined);
    assert.ok(d.recovery!.pointMs !== null && d.recovery!.pointMs >= 0, `recovery point ${d.recovery!.pointMs} ms`);
    assert.equal(d.recovery!.lostBeforeBackup, 0, 'an app that writes before it acknowledges keeps everything before the backup');
  });

  test('no write acknowledged by the backup: the drill stops before destroying anything, saying what the writes got', async () => {
    const d = await drDrill({ WRITES: 'refuse' });
    assert.match(
      d.error ?? '',
      /no canary write was acknowledged before the backup completed, so nothing was destroyed: POST \/items got 500: \{"error":"read-only"\}/,
    );
    assert.ok(!d.events.some((e) => e.kind === 'destroy' || e.kind === 'disaster'), 'nothing destroyed');
  });
});

describe('why a drill failed when there was no outage window', () => {
  test('an app that exits at once on SIGTERM: a few failed requests as each replica stops, and the finding says so', async () => {
    const { cwd, config } = lossyApp({
      name: 'abrupt',
      // POSTs: a client retries an idempotent request a dying keep-alive connection dropped, as browsers and Go do.
      load: { rate: 200, connections: 20, threads: 1, timeout: '3s', requests: [{ method: 'POST', url: '/', body: 'x' }] },
      replicas: 2,
      env: { SLOW_MS: '80', ABRUPT: '1' },
      terminationGrace: '5s',
      drills: { 'app-update': { baseline: '1s', tail: '1s' } },
    });
    const outcome = await run({ cwd, config });
    const d = outcome.result.drills[0]!;
    assert.equal(d.passed, false);
    assert.ok(d.requests.failed > 0, 'requests in flight died with the replicas');
    const f = d.findings.find((x) => x.id === 'shutdown');
    assert.ok(f, JSON.stringify(d.findings));
    assert.match(
      f.message,
      /^\d+ of the \d+ failed requests came while replicas were stopping \(app-r1-\d at \d+\.\d s.*\): the app does not finish requests in flight on SIGTERM/,
    );
    assert.match(f.fix ?? '', /closeIdleConnections/);
  });
});
