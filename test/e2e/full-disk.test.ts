/**
 * A full disk mid-run: the results folder lives on a tiny tmpfs. golive stops the load, tears everything
 * down (no replica left), keeps what was written, and exits 3 naming the file it could not write.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { golive } from '../helpers/cli.js';
import { createDemoWorkspace, localConfig, processesOfRun } from '../helpers/local-app.js';
import { tempDir } from '../helpers/temp-dir.js';

/** A tmpfs of `size` at a fresh folder, or why there cannot be one here (mounting needs root). */
function tinyDisk(size: string): { dir: string; remove(): void } | string {
  if (process.getuid?.() !== 0) return 'mounting a tmpfs needs root';
  const dir = tempDir('golive-fulldisk-');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    return `mount -t tmpfs failed: ${(err as Error).message}`;
  }
  return {
    dir,
    remove: () => {
      execFileSync('umount', [dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

test('ENOSPC while the timeline is appended: the run stops cleanly, exit 3, the path named, nothing left running', async (t) => {
  const disk = tinyDisk('48k');
  if (typeof disk === 'string') {
    t.skip(disk);
    return;
  }
  const ws = createDemoWorkspace();
  try {
    writeFileSync(
      path.join(ws.dir, 'golive.config.json'),
      JSON.stringify({
        ...localConfig(ws.dir, { 'app-update': { baseline: '120s' } }),
        load: { rate: 400, connections: 10, threads: 1, requests: [{ url: '/' }] },
        output: { dir: disk.dir },
      }),
    );
    const r = await golive(['run'], { cwd: ws.dir });
    assert.equal(r.code, 3, r.stdout.slice(-1500) + r.stderr);
    assert.match(r.stderr, /could not write .*(timeline|events)\.ndjson: ENOSPC/);
    assert.doesNotMatch(r.stderr, /Internal error/);
    const runDir = path.join(disk.dir, readdirSync(disk.dir).find((n) => n.endsWith('-test'))!);
    assert.deepEqual(processesOfRun(runDir), [], 'every replica stopped');
  } finally {
    ws.remove();
    disk.remove();
  }
});
