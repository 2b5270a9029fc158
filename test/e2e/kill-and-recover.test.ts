import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { readJournal } from '../../src/safety/journal.js';
import { registeredRuns } from '../../src/safety/run-registry.js';
import { golive, latestRunDir, tempDir, timelineSeconds } from '../helpers/cli.js';
import { waitFor } from '../helpers/wait.js';
import { createDemoWorkspace, localConfig, processesOfRun } from '../helpers/local-app.js';

/** Journalled replica processes of the run that are still running. */
function runningReplicas(dir: string): number {
  const journal = dir ? readJournal(path.join(dir, 'journal.json')) : undefined;
  const running = journal?.entries.filter((e) => e.action.kind === 'process-group' && e.action.pgid > 0 && !e.undone) ?? [];
  return Math.min(running.length, processesOfRun(dir).length);
}

/** Starts `golive run`, waits until its replicas run and the drill's load is in the timeline, SIGKILLs golive, and returns the run folder. */
async function killMidDrill(cwd: string): Promise<string> {
  let runDir = '';
  const result = await golive(['run', 'app-update'], {
    cwd,
    onSpawn: (child) => {
      void waitFor(
        'replicas up and a second of app-update load',
        () => runningReplicas(latestRunDir(cwd)) >= 2 && timelineSeconds(latestRunDir(cwd), 'app-update') >= 1,
      ).then(() => {
        runDir = latestRunDir(cwd);
        child.kill('SIGKILL'); // mid-baseline: load running, replicas up
      });
    },
  });
  assert.equal(result.signal, 'SIGKILL');
  assert.ok(runDir, 'the run started its replicas');
  return runDir;
}

describe('a golive killed with SIGKILL mid-drill leaves processes that recovery removes', () => {
  test('golive recover kills them, from the journal', async () => {
    const ws = createDemoWorkspace();
    try {
      writeFileSync(path.join(ws.dir, 'golive.config.json'), JSON.stringify(localConfig(ws.dir, { 'app-update': { baseline: '60s' } })));
      const runDir = await killMidDrill(ws.dir);
      const left = processesOfRun(runDir);
      assert.ok(left.length >= 2, `replicas outlive golive: ${left.join(', ')}`);
      const r = await golive(['recover'], { cwd: ws.dir });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /✓ undone: started replica app-r1-1: node server\.js → killed process group \d+/);
      // SIGKILL is sent; the processes are gone once the kernel has reaped them.
      await waitFor('the killed replicas to be gone', () => processesOfRun(runDir).length === 0);
      assert.equal((await golive(['recover'], { cwd: ws.dir })).stdout, 'nothing to recover\n');
      // The killed run's folder has a timeline but no summary: it still becomes a report, marked partial.
      const report = await golive(['report', runDir, '--markdown'], { cwd: ws.dir });
      assert.equal(report.code, 0, report.stderr);
      assert.match(
        report.stderr,
        /has no summary\.json \(the run did not finish\): the reports are built from its timeline and events, and say they are partial/,
      );
      const md = readFileSync(path.join(runDir, 'summary.md'), 'utf8');
      assert.match(md, /\| app-update \| ❌ failed \| the run did not finish: this summary was rebuilt from its timeline and events \(partial/);
    } finally {
      ws.remove();
    }
  });

  test('the next run cleans up before it starts', async () => {
    const ws = createDemoWorkspace();
    try {
      writeFileSync(
        path.join(ws.dir, 'golive.config.json'),
        JSON.stringify(localConfig(ws.dir, { 'app-update': { baseline: '60s' }, capacity: { duration: '1s' } })),
      );
      const runDir = await killMidDrill(ws.dir);
      assert.ok(processesOfRun(runDir).length >= 2);
      const next = await golive(['run', 'capacity'], { cwd: ws.dir });
      assert.equal(next.code, 0, next.stdout + next.stderr);
      assert.match(next.stderr, /cleaned up after an earlier run that did not finish: started replica app-r1-\d: node server\.js → killed process group/);
      assert.deepEqual(processesOfRun(runDir), []);
    } finally {
      ws.remove();
    }
  });
});

describe('Ctrl-C, or a closed terminal, mid-drill', () => {
  for (const signal of ['SIGINT', 'SIGHUP'] as const) {
    test(`${signal} stops the load, tears everything down, writes the results: exit 3, no process left`, async () => {
      const ws = createDemoWorkspace();
      try {
        writeFileSync(path.join(ws.dir, 'golive.config.json'), JSON.stringify(localConfig(ws.dir, { 'app-update': { baseline: '60s' } })));
        let runDir = '';
        const r = await golive(['run'], {
          cwd: ws.dir,
          onSpawn: (child) => {
            void waitFor(
              'replicas up and a second of app-update load',
              () => processesOfRun(latestRunDir(ws.dir)).length >= 2 && timelineSeconds(latestRunDir(ws.dir), 'app-update') >= 1,
            ).then(() => {
              runDir = latestRunDir(ws.dir);
              child.kill(signal);
            });
          },
        });
        assert.equal(r.code, 3, r.stdout.slice(-2000) + r.stderr);
        assert.match(r.stdout, /app-update ✗ interrupted/);
        assert.deepEqual(processesOfRun(runDir), []);
        const journal = readJournal(path.join(runDir, 'journal.json'))!;
        assert.deepEqual(
          journal.entries.filter((e) => !e.undone),
          [],
        );
      } finally {
        ws.remove();
      }
    });
  }
});

describe('a hook running when golive is SIGKILLed', () => {
  test('is journalled, so golive recover kills it (and what it started)', async () => {
    const ws = createDemoWorkspace();
    try {
      const drills = { hang: { kind: 'custom', baseline: '200ms', tail: '200ms', actions: [{ run: 'sleep 1000 & sleep 1000' }] } };
      writeFileSync(path.join(ws.dir, 'golive.config.json'), JSON.stringify(localConfig(ws.dir, drills, { replicas: 1 })));
      let runDir = '';
      const r = await golive(['run'], {
        cwd: ws.dir,
        onSpawn: (child) => {
          const hookRunning = (): boolean => {
            const dir = latestRunDir(ws.dir);
            const journal = dir ? readJournal(path.join(dir, 'journal.json')) : undefined;
            return journal?.entries.some((e) => e.change.startsWith('started hook') && e.action.kind === 'process-group' && e.action.pgid > 0) ?? false;
          };
          void waitFor('the hook to be journalled with its process group', hookRunning).then(() => {
            runDir = latestRunDir(ws.dir);
            child.kill('SIGKILL');
          });
        },
      });
      assert.equal(r.signal, 'SIGKILL');
      assert.ok(processesOfRun(runDir).length >= 2, 'the hook and its child outlive golive');
      const rec = await golive(['recover'], { cwd: ws.dir });
      assert.equal(rec.code, 0, rec.stderr);
      assert.match(rec.stdout, /✓ undone: started hook: sleep 1000 & sleep 1000 → killed process group \d+/);
      await waitFor('the hook processes to be gone', () => processesOfRun(runDir).length === 0);
    } finally {
      ws.remove();
    }
  });
});

describe('golive recover without a folder finds every run, wherever --out put it', () => {
  test('a run killed with its results elsewhere is found from the run registry, undone, then forgotten', async () => {
    const ws = createDemoWorkspace();
    const out = tempDir('golive-elsewhere-');
    try {
      writeFileSync(path.join(ws.dir, 'golive.config.json'), JSON.stringify(localConfig(ws.dir, { 'app-update': { baseline: '60s' } })));
      let runDir = '';
      const latest = (): string => (existsSync(out) && readdirSync(out).length ? path.join(out, readdirSync(out).sort().at(-1)!) : '');
      const r = await golive(['run', '--out', out], {
        cwd: ws.dir,
        onSpawn: (child) => {
          void waitFor('replicas serving load', () => processesOfRun(latest()).length >= 2 && timelineSeconds(latest()) >= 1).then(() => {
            runDir = latest();
            child.kill('SIGKILL');
          });
        },
      });
      assert.equal(r.signal, 'SIGKILL');
      assert.ok(processesOfRun(runDir).length >= 2, 'replicas outlive golive');
      assert.equal(registeredRuns().length, 1, 'the killed run is registered');
      // From a folder that has no golive-results at all.
      const recovered = await golive(['recover'], { cwd: tempDir() });
      assert.equal(recovered.code, 0, recovered.stderr);
      assert.match(recovered.stdout, /✓ undone: started replica app-r1-1: node server\.js → killed process group \d+/);
      await waitFor('the killed replicas to be gone', () => processesOfRun(runDir).length === 0);
      assert.deepEqual(registeredRuns(), [], 'a run with nothing left to undo is forgotten');
      assert.equal((await golive(['recover'], { cwd: tempDir() })).stdout, 'nothing to recover\n');
    } finally {
      ws.remove();
    }
  });

  test('a run that ends normally leaves nothing in the registry', async () => {
    const ws = createDemoWorkspace();
    try {
      writeFileSync(path.join(ws.dir, 'golive.config.json'), JSON.stringify(localConfig(ws.dir, { capacity: { duration: '1s' } })));
      const r = await golive(['run', '--out', tempDir('golive-elsewhere-')], { cwd: ws.dir });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.deepEqual(registeredRuns(), []);
    } finally {
      ws.remove();
    }
  });

  test("a stale journal in a folder with a live run's name never takes the live run's replicas for its own", async () => {
    const ws = createDemoWorkspace();
    const other = tempDir();
    try {
      writeFileSync(path.join(ws.dir, 'golive.config.json'), JSON.stringify(localConfig(ws.dir, { 'app-update': { baseline: '60s' } })));
      const checked = golive(['run'], {
        cwd: ws.dir,
        onSpawn: (child) => {
          void waitFor('replicas serving load', () => processesOfRun(latestRunDir(ws.dir)).length >= 2 && timelineSeconds(latestRunDir(ws.dir)) >= 1)
            .then(async () => {
              const live = latestRunDir(ws.dir);
              const journal = readJournal(path.join(live, 'journal.json'))!;
              const before = processesOfRun(live).length;
              // An older run of the same name (another results root), killed long ago: its own run id, or none (older golive).
              for (const runId of [`${path.basename(live)}-0000dead`, undefined]) {
                const stale = path.join(other, 'golive-results', path.basename(live));
                mkdirSync(stale, { recursive: true });
                writeFileSync(path.join(stale, 'journal.json'), JSON.stringify({ ...journal, pid: 999_999_999, runId }));
                const r = await golive(['recover'], { cwd: other });
                assert.equal(r.code, 0, r.stderr);
                assert.equal(processesOfRun(live).length, before, `the live run's replicas are untouched (stale run id ${runId})`);
              }
            })
            .finally(() => child.kill('SIGINT'));
        },
      });
      assert.equal((await checked).code, 3);
    } finally {
      ws.remove();
    }
  });
});

describe('a helper a replica starts with setsid (out of its process group)', () => {
  const withHelper = (dir: string, drills: Record<string, unknown>): string => {
    const config = localConfig(dir, drills, { replicas: 1 }) as { platform: { app: { command: string } } };
    config.platform.app.command = 'setsid sleep 1000 & exec node server.js';
    return JSON.stringify(config);
  };

  test('goes with its replica when the run ends', async () => {
    const ws = createDemoWorkspace();
    try {
      writeFileSync(path.join(ws.dir, 'golive.config.json'), withHelper(ws.dir, { capacity: { duration: '1s' } }));
      const r = await golive(['run'], { cwd: ws.dir });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.deepEqual(processesOfRun(latestRunDir(ws.dir)), [], 'nothing the run started outlives it');
    } finally {
      ws.remove();
    }
  });

  test('is killed by golive recover after a SIGKILL', async () => {
    const ws = createDemoWorkspace();
    try {
      writeFileSync(path.join(ws.dir, 'golive.config.json'), withHelper(ws.dir, { 'app-update': { baseline: '60s' } }));
      let runDir = '';
      await golive(['run'], {
        cwd: ws.dir,
        onSpawn: (child) => {
          void waitFor('the replica and its helper', () => processesOfRun(latestRunDir(ws.dir)).length >= 2 && timelineSeconds(latestRunDir(ws.dir)) >= 1).then(
            () => {
              runDir = latestRunDir(ws.dir);
              child.kill('SIGKILL');
            },
          );
        },
      });
      const r = await golive(['recover'], { cwd: ws.dir });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /killed process group \d+ and 1 process\(es\) of the run outside it/);
      await waitFor('every process of the run to be gone', () => processesOfRun(runDir).length === 0);
    } finally {
      ws.remove();
    }
  });
});
