/**
 * `golive recover` undoes only what golive made for that very run: a crafted journal (or a stale one) can
 * name any folder, and recover must refuse to delete it, saying why.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { makeOwnedTempDir } from '../../../src/safety/owned-temp-dir.js';
import { recoverFolder } from '../../../src/safety/recover.js';
import { tempDir } from '../../helpers/temp-dir.js';

const made: string[] = [];
after(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

function dirWithFile(parent: string, prefix: string): string {
  const dir = mkdtempSync(path.join(parent, prefix));
  writeFileSync(path.join(dir, 'precious.txt'), 'keep me');
  made.push(dir);
  return dir;
}

test('a crafted journal cannot make recover delete what golive did not make for that run', async () => {
  const results = tempDir('golive-recover-test-');
  made.push(results);
  const runDir = path.join(results, '2026-12-01T00-00-00Z-crafted');
  mkdirSync(runDir);
  const home = tempDir('golive-home-');
  made.push(home);
  const victim = dirWithFile(home, 'victim-');
  const unmarked = dirWithFile(tmpdir(), 'golive-unmarked-');
  const otherRun = makeOwnedTempDir('other', 'some-other-run');
  made.push(otherRun);
  const link = path.join(tmpdir(), `golive-link-${process.pid}`);
  symlinkSync(victim, link);
  made.push(link);
  const ours = makeOwnedTempDir('ours', path.basename(runDir));
  made.push(ours);
  const entries = [victim, unmarked, otherRun, link, ours].map((p, i) => ({
    id: i + 1,
    at: '',
    change: `made ${p}`,
    undo: `rm -rf ${p}`,
    action: { kind: 'temp-dir', path: p },
    undone: false,
  }));
  writeFileSync(path.join(runDir, 'journal.json'), JSON.stringify({ version: 1, pid: 999_999_999, entries }));

  const report = await recoverFolder(runDir, {});
  assert.ok(existsSync(path.join(victim, 'precious.txt')), 'a folder outside the temp folder survives');
  assert.ok(existsSync(path.join(unmarked, 'precious.txt')), 'a golive-named folder without the marker survives');
  assert.ok(existsSync(otherRun), "another run's folder survives");
  assert.ok(existsSync(link) && existsSync(path.join(victim, 'precious.txt')), 'a symbolic link is not followed');
  assert.equal(existsSync(ours), false, "the run's own marked folder is deleted");
  assert.equal(report.failed.length, 4, report.failed.join('\n'));
  assert.match(report.failed[0]!, /refused to delete .*victim-.*: is not directly in the temp folder/);
  assert.match(report.failed[1]!, /refused to delete .*golive-unmarked-.*: it has no \.golive-owner marker of golive's/);
  assert.match(report.failed[2]!, /refused to delete .*golive-other-.*: its marker names another run \(some-other-run\)/);
  assert.match(report.failed[3]!, /refused to delete .*golive-link-.*: is a symbolic link/);
  assert.deepEqual(report.undone, [`made ${ours} → deleted ${ours}`]);
});

test("a journalled destroy: recover fills the run's marked or empty data folder from its own snapshot, and deletes nothing else", async () => {
  const results = tempDir('golive-recover-test-');
  made.push(results);
  const runDir = path.join(results, '2026-12-01T00-00-00Z-destroyed');
  const snapshot = path.join(runDir, 'snapshots', 'snapshot-1');
  mkdirSync(snapshot, { recursive: true });
  writeFileSync(path.join(snapshot, 'items.ndjson'), 'from the backup\n');
  const runId = `${path.basename(runDir)}-abcd`;
  const home = tempDir('golive-home-');
  made.push(home);
  // Killed mid-delete: the folder still marked by this run, with what the delete had not reached yet.
  const marked = path.join(home, 'marked');
  mkdirSync(marked);
  writeFileSync(path.join(marked, '.golive-emptied'), JSON.stringify({ runId }));
  writeFileSync(path.join(marked, 'half-deleted.txt'), 'x');
  // Killed before the destroy began: unmarked, its data all there.
  const untouched = dirWithFile(home, 'untouched-');
  // A crafted entry: a snapshot that is not the run's, into an empty folder.
  const empty = path.join(home, 'empty');
  mkdirSync(empty);
  const foreign = dirWithFile(home, 'foreign-snapshot-');
  const entry = (id: number, dataDir: string, snap: string) => ({
    id,
    at: '',
    change: `deleted the data in ${dataDir}`,
    undo: '',
    action: { kind: 'restore-data', dataDir, snapshot: snap },
    undone: false,
  });
  const entries = [entry(1, marked, snapshot), entry(2, untouched, snapshot), entry(3, empty, foreign)];
  writeFileSync(path.join(runDir, 'journal.json'), JSON.stringify({ version: 1, pid: 999_999_999, runId, entries }));

  const report = await recoverFolder(runDir, {});
  assert.deepEqual(readdirSync(marked), ['items.ndjson'], 'the marked folder is filled from the snapshot, the marker gone');
  assert.equal(readFileSync(path.join(untouched, 'precious.txt'), 'utf8'), 'keep me', 'an unmarked folder with data is left as it is');
  assert.deepEqual(readdirSync(empty), [], "nothing is copied from a snapshot that is not the run's");
  assert.match(report.undone[0]!, /put .*marked back from .*snapshot-1/);
  assert.match(report.undone[1]!, /holds its data: the destroy had not begun, or the restore was done/);
  assert.match(report.failed[0]!, /refused: .*foreign-snapshot-.* is not a snapshot of this run/);
});
