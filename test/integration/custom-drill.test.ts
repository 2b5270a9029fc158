import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createDemoWorkspace, localConfig, processesOfRun, runDrills } from '../helpers/local-app.js';
import { run } from '../../src/run/run.js';

describe("a drill of the user's own", () => {
  test('actions run in order inside the disruption phase: kill, wait until ready, a hook with its environment', async () => {
    const ws = createDemoWorkspace();
    try {
      const config = localConfig(
        ws.dir,
        {
          'kill-one': {
            kind: 'custom',
            baseline: '1s',
            tail: '1s',
            actions: [{ killReplicas: 1 }, { waitUntilReady: '10s' }, { run: 'echo "drill=$GOLIVE_DRILL"' }, { sleep: '200ms' }],
          },
        },
        { replicas: 2 },
      );
      const {
        drills: [d],
        dir,
      } = await runDrills(ws.dir, config);
      assert.equal(d!.error, undefined);
      assert.equal(d!.kind, 'custom');
      const kinds = d!.events.map((e) => e.kind);
      assert.ok(kinds.indexOf('replicas.killed') < kinds.indexOf('action.run'));
      assert.ok(
        d!.events.some((e) => e.kind === 'hook.output' && e.message === 'drill=kill-one'),
        JSON.stringify(d!.events),
      );
      assert.ok(kinds.includes('replica.starting'), 'the killed replica was replaced');
      assert.deepEqual(processesOfRun(dir), []);
    } finally {
      ws.remove();
    }
  });

  test('failZone then restoreZone: the zone is restored once, and the teardown finds nothing left to restore', async () => {
    const ws = createDemoWorkspace();
    try {
      const drills = {
        'zone-blip': {
          kind: 'custom',
          baseline: '500ms',
          tail: '500ms',
          actions: [{ failZone: 'zone-a' }, { sleep: '300ms' }, { restoreZone: 'zone-a' }, { waitUntilReady: '20s' }],
        },
      };
      const {
        drills: [d],
      } = await runDrills(ws.dir, localConfig(ws.dir, drills, { replicas: 3 }));
      assert.equal(d!.error, undefined);
      assert.equal(d!.events.filter((e) => e.kind === 'zone.restored').length, 1, JSON.stringify(d!.events.filter((e) => e.kind.startsWith('zone.'))));
    } finally {
      ws.remove();
    }
  });

  test('a manual step without a terminal fails clearly, and --yes answers it', async () => {
    const ws = createDemoWorkspace();
    try {
      const drills = { ask: { kind: 'custom', baseline: '200ms', tail: '200ms', actions: [{ manual: 'Reboot node-1 now' }] } };
      const noTty = await runDrills(ws.dir, localConfig(ws.dir, drills, { replicas: 1 }));
      assert.match(
        noTty.drills[0]!.error ?? '',
        /a manual step needs an operator, but there is no terminal: "Reboot node-1 now"\. Run interactively, or pass --yes/,
      );
      const yes = await run({ cwd: ws.dir, config: { ...localConfig(ws.dir, drills, { replicas: 1 }), output: { dir: 'results' } }, assumeYes: true });
      assert.equal(yes.result.drills[0]!.error, undefined);
      assert.ok(yes.result.drills[0]!.events.some((e) => e.kind === 'manual.confirmed' && e.message === 'answered by --yes'));
    } finally {
      ws.remove();
    }
  });

  test('a hook that runs too long is stopped at hookTimeout and fails the drill with its last output', async () => {
    const ws = createDemoWorkspace();
    try {
      const drills = { slow: { kind: 'custom', baseline: '200ms', tail: '200ms', actions: [{ run: 'echo starting; echo still going; sleep 60' }] } };
      const started = Date.now();
      const {
        drills: [d],
        dir,
      } = await runDrills(ws.dir, { ...localConfig(ws.dir, drills, { replicas: 1 }), hookTimeout: '1s' });
      assert.match(
        d!.error ?? '',
        /hook `echo starting; echo still going; sleep 60` did not finish within 1 s \(hookTimeout\) and was stopped; its last 2 line\(s\) of output:\n {4}starting\n {4}still going/,
      );
      assert.ok(Date.now() - started < 30_000, 'stopped, not waited out');
      assert.deepEqual(processesOfRun(dir), [], 'the hook is gone with its children');
    } finally {
      ws.remove();
    }
  });
});
