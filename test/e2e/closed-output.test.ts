/**
 * Every way golive's process can be told to end leads to a teardown: a closed pipe (`golive demo | head -3`),
 * SIGPIPE, and an internal error. Before, EPIPE killed golive without one and the demo's replicas kept
 * running in its temp folder.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { readJournal } from '../../src/safety/journal.js';
import { golive, latestRunDir, tempDir, timelineSeconds } from '../helpers/cli.js';
import { createDemoWorkspace, localConfig, processesOfRun } from '../helpers/local-app.js';
import { waitFor } from '../helpers/wait.js';

/** What a run journalled that is still not undone. */
function pendingInJournal(runDir: string): string[] {
  return (readJournal(path.join(runDir, 'journal.json'))?.entries ?? []).filter((e) => !e.undone).map((e) => e.change);
}

test('golive demo | head -3: the closed pipe stops the run, which tears down (replicas and the demo folder gone) and exits 3', async () => {
  const cwd = tempDir();
  let runDir = '';
  let lines = 0;
  const r = await golive(['demo', 'app-update'], {
    cwd,
    onSpawn: (child) => {
      child.stdout!.on('data', (d: Buffer) => {
        lines += d.toString().split('\n').length - 1;
        // As `head -3` does: read a few lines, then close the pipe, once the demo's replicas serve load.
        if (lines >= 3 && !runDir && processesOfRun(latestRunDir(cwd)).length >= 3 && timelineSeconds(latestRunDir(cwd)) >= 1) {
          runDir = latestRunDir(cwd);
          child.stdout!.destroy();
        }
      });
    },
  });
  assert.ok(runDir, 'the demo ran');
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, /stopping \(stdout closed: EPIPE\): finishing requests in flight, undoing changes and writing results/);
  assert.deepEqual(processesOfRun(runDir), [], 'no replica outlives the run');
  assert.deepEqual(pendingInJournal(runDir), [], 'everything journalled was undone');
  const workspaces = (readJournal(path.join(runDir, 'journal.json'))?.entries ?? []).flatMap((e) => (e.action.kind === 'temp-dir' ? [e.action.path] : []));
  assert.equal(workspaces.length, 1, 'the demo journalled its workspace');
  assert.equal(existsSync(workspaces[0]!), false, "the demo's temp folder is removed");
  assert.ok(existsSync(path.join(runDir, 'summary.json')), 'the results are written');
});

test('SIGPIPE stops the run as SIGHUP does: changes undone, results written, exit 3', async () => {
  const ws = createDemoWorkspace();
  try {
    writeFileSync(path.join(ws.dir, 'golive.config.json'), JSON.stringify(localConfig(ws.dir, { 'app-update': { baseline: '60s' } })));
    let runDir = '';
    const r = await golive(['run'], {
      cwd: ws.dir,
      onSpawn: (child) => {
        void waitFor('replicas serving load', () => processesOfRun(latestRunDir(ws.dir)).length >= 2 && timelineSeconds(latestRunDir(ws.dir)) >= 1).then(() => {
          runDir = latestRunDir(ws.dir);
          child.kill('SIGPIPE');
        });
      },
    });
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /stopping \(SIGPIPE\)/);
    assert.deepEqual(processesOfRun(runDir), []);
    assert.deepEqual(pendingInJournal(runDir), []);
  } finally {
    ws.remove();
  }
});

test('an internal error mid-run stops it with a teardown, says "Internal error", and exits 3', () => {
  // execute() is the CLI's: driven in a process of its own, with a run that throws out of a timer.
  const script = `
    import { execute } from ${JSON.stringify(path.resolve(import.meta.dirname, '../../../dist/cli/execute.js'))};
    const io = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, cwd: process.cwd(), env: process.env };
    const code = await execute(io, (signal) => new Promise((resolve) => {
      setTimeout(() => { throw new Error('boom in a timer'); }, 10);
      signal.addEventListener('abort', () => {
        process.stdout.write('torn down\\n');
        resolve({ result: { drills: [], passed: false }, resultsDir: 'x', reports: [], interrupted: true });
      });
    }));
    process.exit(code);
  `;
  let out = '';
  let code = 0;
  try {
    out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const e = err as { status: number; stdout: string; stderr: string };
    code = e.status;
    out = e.stdout + e.stderr;
  }
  assert.equal(code, 3, out);
  assert.match(out, /golive: Internal error: Error: boom in a timer/);
  assert.match(out, /stopping \(an internal error\)/);
  assert.match(out, /torn down/);
});
