import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { golive, latestRunDir, tempDir } from '../helpers/cli.js';
import type { RunResult } from '../../src/model/result.js';
import { makeOwnedTempDir } from '../../src/safety/owned-temp-dir.js';

/** An app whose start leaves a mark: a dry run must never start it. */
function appDir(cwd: string): string {
  const app = path.join(cwd, 'app');
  mkdirSync(path.join(app, 'data'), { recursive: true });
  writeFileSync(path.join(app, 'data', 'orders.db'), 'the only copy');
  writeFileSync(path.join(app, 'server.js'), "require('fs').writeFileSync(require('path').join(__dirname, 'STARTED'), '');\n");
  execFileSync('git', ['init', '-q', app]);
  return app;
}

test('--dry-run on the local platform prints the plan, starts and deletes nothing, and exits 0', async () => {
  const cwd = tempDir();
  const app = appDir(cwd);
  writeFileSync(
    path.join(cwd, 'golive.config.yaml'),
    [
      'name: plan',
      'load: { rate: 20 }',
      'platform:',
      '  kind: local',
      '  app: { command: node server.js, cwd: ./app, dataDir: ./app/data, replicas: 2, readiness: { path: /readyz } }',
      '  cluster: { nodes: 2, zones: 2 }',
      'drills:',
      '  app-update: { baseline: 1s, tail: 1s, objectives: { maxDowntime: 0s } }',
      '  zone-outage: { baseline: 1s, tail: 1s }',
      '  disaster-recovery: { baseline: 1s, tail: 1s }',
      '  redeploy: { baseline: 1s, tail: 1s, repo: ./app }',
      '',
    ].join('\n'),
  );
  const r = await golive(['run', '--dry-run', '--allow-destroy'], { cwd });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal(readFileSync(path.join(app, 'data', 'orders.db'), 'utf8'), 'the only copy', 'the data folder is untouched');
  assert.equal(existsSync(path.join(app, 'STARTED')), false, 'no replica was started');
  assert.match(r.stdout, /DRY RUN: nothing is started or changed/);
  assert.match(r.stdout, /would: kill every replica and delete .*app\/data/);
  assert.match(r.stdout, /would: lose zone-a: its nodes down/);
  assert.match(r.stdout, /app-update planned\n {2}steps\n(.*\n)*? {4}downtime: ≤ 0s\n/);
  assert.match(r.stdout, /the plan is valid: 4 drill\(s\) planned; nothing was changed and no load was sent/);
  assert.doesNotMatch(r.stdout, /avg 0\.00ms|not ready/, 'no zeroed summary, no verdict on a plan');
  const summary = JSON.parse(readFileSync(path.join(latestRunDir(cwd), 'summary.json'), 'utf8')) as RunResult;
  assert.deepEqual(summary.dryRun, { valid: true });
  assert.deepEqual(
    summary.drills.map((d) => [d.name, d.planned, d.error]),
    ['app-update', 'zone-outage', 'disaster-recovery', 'redeploy'].map((n) => [n, true, undefined]),
  );
  assert.equal(existsSync(path.join(latestRunDir(cwd), 'report.html')), false, 'no report of a run that measured nothing');
});

/** A hook that, if it ever ran, would leave `mark` behind and delete the app's data. */
const hostileHook = (cwd: string, mark: string): string => `touch ${path.join(cwd, 'marks', mark)} && rm -rf ${path.join(cwd, 'app', 'data')}`;

test('--dry-run of every drill kind runs no hook: backup, destroy, restore, reboot, zone, rollout, build and custom commands are described, not run', async () => {
  const cwd = tempDir();
  const app = appDir(cwd);
  mkdirSync(path.join(cwd, 'marks'));
  const h = (mark: string): string => JSON.stringify(hostileHook(cwd, mark));
  writeFileSync(
    path.join(cwd, 'golive.config.yaml'),
    [
      'name: inert',
      'load: { rate: 20 }',
      'platform:',
      '  kind: local',
      '  app: { command: node server.js, cwd: ./app, dataDir: ./app/data, replicas: 2 }',
      '  cluster: { nodes: 2, zones: 2 }',
      'drills:',
      '  app-update: { baseline: 1s, tail: 1s }',
      `  node-drain: { baseline: 1s, tail: 1s, reboot: { run: ${h('reboot')} } }`,
      `  zone-outage: { baseline: 1s, tail: 1s, mode: { run: ${h('zone')} } }`,
      `  disaster-recovery: { baseline: 1s, tail: 1s, backup: { run: ${h('backup')}, destroy: ${h('destroy')}, restore: ${h('restore')} } }`,
      `  redeploy: { baseline: 1s, tail: 1s, repo: ./app, build: ${h('build')} }`,
      '  mine:',
      '    kind: custom',
      `    actions: [ { run: ${h('custom')} }, { manual: "pull the plug" }, { killReplicas: 1 } ]`,
      '',
    ].join('\n'),
  );
  const r = await golive(['run', '--dry-run', '--allow-destroy'], { cwd });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.deepEqual(readdirSync(path.join(cwd, 'marks')), [], 'no hook ran');
  assert.equal(readFileSync(path.join(app, 'data', 'orders.db'), 'utf8'), 'the only copy', 'the data folder is untouched');
  assert.equal(existsSync(path.join(app, 'STARTED')), false, 'no replica was started');
  for (const mark of ['backup', 'destroy', 'restore', 'custom', 'zone', 'reboot', 'build'])
    assert.match(r.stdout, new RegExp(`would: run .*marks/${mark} `), `the ${mark} hook is described`);
  assert.match(r.stdout, /would: ask the operator: pull the plug/);
});

test('--dry-run undoes nothing an earlier run left behind: it says what a run or golive recover would undo', async () => {
  const cwd = tempDir();
  appDir(cwd);
  writeFileSync(
    path.join(cwd, 'golive.config.yaml'),
    'name: plan\nplatform: { kind: local, app: { command: node server.js, cwd: ./app } }\ndrills: { app-update: {} }\n',
  );
  const owned = makeOwnedTempDir('leftover', '2026-12-01T00-00-00Z-crashed');
  try {
    const runDir = path.join(cwd, 'golive-results', '2026-12-01T00-00-00Z-crashed');
    mkdirSync(runDir, { recursive: true });
    const entry = { id: 1, at: '', change: `made ${owned}`, undo: `rm -rf ${owned}`, action: { kind: 'temp-dir', path: owned }, undone: false };
    writeFileSync(path.join(runDir, 'journal.json'), JSON.stringify({ version: 1, pid: 999_999_999, entries: [entry] }));
    const r = await golive(['run', '--dry-run'], { cwd });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.ok(existsSync(owned), "the earlier run's folder is still there");
    assert.match(r.stderr, new RegExp(`a run \\(or golive recover\\) would undo: made ${owned}`));
  } finally {
    rmSync(owned, { recursive: true, force: true });
  }
});
