import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { golive, tempDir } from '../helpers/cli.js';
import { projectWithGolive } from '../helpers/installed-golive.js';
import { startTestServer } from '../helpers/test-server.js';

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

test('the example in "Use golive from code" runs as written, against a real server', async () => {
  const server = await startTestServer();
  try {
    const readme = readFileSync(README, 'utf8');
    const section = readme.slice(readme.indexOf('## Use golive from code'), readme.indexOf('\n## ', readme.indexOf('## Use golive from code') + 1));
    const code = /```js\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
    assert.ok(code.includes("from 'golive'"), 'the section has a js example');
    const dir = projectWithGolive();
    writeFileSync(path.join(dir, 'example.mjs'), code.replace('http://localhost:8080', server.url));
    const child = spawn(process.execPath, ['example.mjs'], { cwd: dir, env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const [exitCode] = (await once(child, 'close')) as [number | null];
    assert.equal(exitCode, 0, stderr);
    assert.match(stdout, /^capacity: passed, p95 [\d.]+ ms over 100 requests\nsummary: (.+summary\.md)\n$/);
    assert.ok(existsSync(/summary: (.+)\n$/.exec(stdout)![1]!));
    assert.match(stderr, /capacity ✓ passed/, 'the terminal given gets the live results');
    assert.equal(server.received, 100);
  } finally {
    await server.close();
  }
});
