import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { readJournal } from '../../src/safety/journal.js';
import { golive, latestRunDir, timelineSeconds } from '../helpers/cli.js';
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
