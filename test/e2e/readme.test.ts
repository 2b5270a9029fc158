import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { golive, tempDir } from '../helpers/cli.js';

const README = path.resolve(import.meta.dirname, '../../../README.md');

test("README's command table and `golive --help` list the same commands", async () => {
  const readme = readFileSync(README, 'utf8');
  const table = readme.slice(readme.indexOf('## CLI'), readme.indexOf('\n## ', readme.indexOf('## CLI') + 1));
  const documented = [...table.matchAll(/^\| `golive (\w+)/gm)].map((m) => m[1]!);
  const help = await golive(['--help'], { cwd: tempDir() });
  assert.equal(help.code, 0);
  const commands = help.stdout.slice(help.stdout.indexOf('Commands:'));
  const listed = [...commands.matchAll(/^ {2}(\w+)\b/gm)].map((m) => m[1]!).filter((c) => c !== 'help');
  // `worker` is internal: hidden from --help, documented as such.
  assert.match(table, /\| `golive worker` \| internal, not listed by `--help`/);
  assert.deepEqual([...documented].sort(), [...listed, 'worker'].sort());
  assert.equal(new Set(documented).size, documented.length, 'each command documented once');
});

test('README names no file or section the repository does not have', () => {
  const readme = readFileSync(README, 'utf8');
  assert.doesNotMatch(readme, /DESIGN\.md/, 'DESIGN.md is not part of the repository');
  assert.doesNotMatch(readme, /<this repository>/, 'no placeholder to copy');
});
