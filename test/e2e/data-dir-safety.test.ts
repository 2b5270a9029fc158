/**
 * The folder golive deletes on the team's machine (the local platform's dataDir) is checked when the config
 * is read, and the destroy that deletes it is journalled with the snapshot that undoes it.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { readJournal } from '../../src/safety/journal.js';
import { golive, latestRunDir, tempDir } from '../helpers/cli.js';
import { createDemoWorkspace, localConfig, processesOfRun } from '../helpers/local-app.js';
import { waitFor } from '../helpers/wait.js';

/** A project beside another one: what a dataDir of '..' would take with it. */
function twoProjects(): { project: string; other: string } {
  const root = tempDir();
  const project = path.join(root, 'project');
  const other = path.join(root, 'other-project');
  mkdirSync(path.join(project, 'app'), { recursive: true });
  mkdirSync(path.join(project, 'real-data'));
  mkdirSync(other);
  writeFileSync(path.join(other, 'precious.txt'), 'keep me');
  writeFileSync(path.join(project, 'app', 'server.js'), '');
  symlinkSync(path.join(project, 'real-data'), path.join(project, 'link'));
  return { project, other };
}

const config = (dataDir: string): string =>
  [
    'name: data',
    'platform:',
    '  kind: local',
    `  app: { command: node server.js, cwd: ./app, dataDir: ${JSON.stringify(dataDir)} }`,
    'drills: { redeploy: {} }',
    '',
  ].join('\n');

test('a dataDir golive must never delete is refused when the config is read, naming the line and why', async () => {
  const { project } = twoProjects();
  const cases: [string, RegExp][] = [
    ['..', /holds the config's folder/],
    ['.', /is the config's folder/],
    ['./app', /is the app's folder \(platform\.app\.cwd\)/],
    ['/', /is a system folder/],
    ['/etc', /is a system folder \(under \/etc\)/],
    ['/usr/lib/x', /is a system folder \(under \/usr\)/],
    ['./link', /is a symbolic link: golive would snapshot and delete the link, not the data behind it; point dataDir at the folder itself \(.*real-data\)/],
  ];
  for (const [dataDir, why] of cases) {
    writeFileSync(path.join(project, 'golive.config.yaml'), config(dataDir));
    const r = await golive(['validate'], { cwd: project });
    assert.equal(r.code, 2, `${dataDir}: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr, /golive\.config\.yaml has a problem:\n {2}✖ line 4, platform\.app\.dataDir: /, dataDir);
    assert.match(r.stderr, why, dataDir);
  }
  writeFileSync(path.join(project, 'golive.config.yaml'), config('./real-data'));
  assert.equal((await golive(['validate'], { cwd: project })).code, 0, 'a folder of its own is fine');
});

test("redeploy with dataDir '..' stops before anything runs: the project beside it survives", async () => {
  const { project, other } = twoProjects();
  writeFileSync(path.join(project, 'golive.config.yaml'), config('..'));
  const r = await golive(['run', 'redeploy', '--allow-destroy'], { cwd: project });
  assert.equal(r.code, 2, r.stdout + r.stderr);
  assert.equal(readFileSync(path.join(other, 'precious.txt'), 'utf8'), 'keep me');
  assert.ok(existsSync(path.join(project, 'golive.config.yaml')));
  assert.equal(existsSync(path.join(project, 'golive-results')), false, 'no results folder for a config that was refused');
});

test('SIGKILL between destroy and restore: the destroy is journalled with its snapshot, and golive recover puts the data back', async () => {
  const ws = createDemoWorkspace();
  try {
    // Enough files that deleting and copying them back takes a while: the kill lands between the two.
    const data = path.join(ws.dir, 'data');
    mkdirSync(path.join(data, 'blobs'), { recursive: true });
    for (let i = 0; i < 20_000; i++) writeFileSync(path.join(data, 'blobs', `${i}.txt`), `blob ${i}`);
    const drills = { 'disaster-recovery': { baseline: '1s', afterBackup: '500ms', tail: '1s' } };
    writeFileSync(path.join(ws.dir, 'golive.config.json'), JSON.stringify(localConfig(ws.dir, drills)));
    let runDir = '';
    // golive marks the folder before it deletes its first file, and unmarks it once the restore filled it.
    const destroying = (): boolean =>
      existsSync(path.join(data, '.golive-emptied')) &&
      (readJournal(path.join(latestRunDir(ws.dir), 'journal.json'))?.entries.some((e) => e.action.kind === 'restore-data' && !e.undone) ?? false);
    const r = await golive(['run'], {
      cwd: ws.dir,
      onSpawn: (child) => {
        void waitFor('the destroy to begin', () => Boolean(latestRunDir(ws.dir)) && destroying(), 60_000).then(() => {
          runDir = latestRunDir(ws.dir);
          child.kill('SIGKILL');
        });
      },
    });
    assert.equal(r.signal, 'SIGKILL');
    const recovered = await golive(['recover'], { cwd: ws.dir });
    assert.equal(recovered.code, 0, recovered.stdout + recovered.stderr);
    assert.match(recovered.stdout, /✓ undone: deleted the data in .*\/data \(snapshot .*\) → put .*\/data back from .*snapshots\/snapshot-\d+/);
    assert.equal(readdirSync(path.join(data, 'blobs')).length, 20_000, 'every file is back');
    assert.equal(readFileSync(path.join(data, 'blobs', '19999.txt'), 'utf8'), 'blob 19999');
    assert.ok(existsSync(path.join(data, 'items.ndjson')), 'with the canary writes the backup held');
    assert.equal(existsSync(path.join(data, '.golive-emptied')), false, "golive's marker is gone");
    await waitFor('the killed replicas to be gone', () => processesOfRun(runDir).length === 0);
  } finally {
    ws.remove();
  }
});
