import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { golive, tempDir } from '../helpers/cli.js';

const FIXTURES = path.resolve(import.meta.dirname, '../../../test/fixtures');

test('golive audit: exit 1 at or above --fail-on, SARIF to a file, a clear error for bad input', async () => {
  const cwd = tempDir();
  const bad = path.join(FIXTURES, 'audit/bad.yaml');
  const r = await golive(['audit', bad], { cwd });
  assert.equal(r.code, 1, 'errors found');
  assert.match(r.stdout, /✗ GL001 replicas-below-2 \(error\) {2}.*bad\.yaml:8/);
  assert.match(r.stdout, /20 finding\(s\): 6 error, 13 warning, 1 info/);
  assert.equal((await golive(['audit', bad, '--fail-on', 'none'], { cwd })).code, 0);
  assert.equal((await golive(['audit', path.join(FIXTURES, 'audit/good.yaml'), '--fail-on', 'info'], { cwd })).code, 0);
  const sarif = await golive(['audit', bad, '--format', 'sarif', '--out', 'golive.sarif', '--fail-on', 'none'], { cwd });
  assert.equal(sarif.code, 0);
  assert.equal((JSON.parse(readFileSync(path.join(cwd, 'golive.sarif'), 'utf8')) as { version: string }).version, '2.1.0');
  const naive = await golive(['audit', '--demo-naive'], { cwd });
  assert.equal(naive.code, 1);
  assert.match(naive.stdout, /GL001 replicas-below-2[\s\S]*GL003 recreate-strategy[\s\S]*GL008 no-pdb/);
  assert.match(naive.stdout, /platform: \{ app: \{ strategy: \{ type: 'RollingUpdate', maxSurge: 1, maxUnavailable: 0 \} \} \}/);
  const missing = await golive(['audit', 'nope.yaml'], { cwd });
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /nope\.yaml has a problem:\n {2}✖ no such file or folder/);
});
