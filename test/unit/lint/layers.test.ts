/**
 * The layer rule (eslint/layers.js) really fails: for every folder of src/, an import it is not allowed
 * fails lint and one it is allowed passes, through ESLint itself on files that exist only in this test.
 */
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { PACKAGE_ROOT } from '../../../src/package-root.js';

interface Layer {
  imports: string[];
  typeImports?: string[];
  io: boolean;
}
interface LayersModule {
  LAYERS: Record<string, Layer>;
  layersPlugin: ESLint.Plugin;
}

const { LAYERS, layersPlugin } = (await import(pathToFileURL(path.join(PACKAGE_ROOT, 'eslint', 'layers.js')).href)) as LayersModule;

const eslint = new ESLint({
  cwd: PACKAGE_ROOT,
  overrideConfigFile: true,
  overrideConfig: [
    { files: ['**/*.ts'], languageOptions: { parser: tseslint.parser }, plugins: { golive: layersPlugin }, rules: { 'golive/layers': 'error' } },
  ],
});

/** The messages of linting `code` as if it were the file `file` (repo-relative). */
async function lint(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(PACKAGE_ROOT, file) });
  return result!.messages.map((m) => m.message);
}

/** A relative specifier from `file` to the repo-relative `target` (`.js`, as the sources write them). */
function spec(file: string, target: string): string {
  const rel = path.posix.relative(path.posix.dirname(file), target).replace(/\.ts$/, '.js');
  return rel.startsWith('.') ? rel : `./${rel}`;
}

const SRC_FOLDERS = ['analysis', 'audit', 'cli', 'config', 'drills', 'engine', 'model', 'platforms', 'report', 'results', 'run', 'safety'];
const within = (target: string, entry: string): boolean => target === entry || target.startsWith(`${entry}/`);

describe('layer rule: each folder of src/ may import only what eslint/layers.js allows', () => {
  for (const [layer, rule] of Object.entries(LAYERS)) {
    test(layer, async () => {
      const file = `${layer}/fixture-under-test.ts`;
      // A folder this layer may not import (its own subfolders excepted): the rule must fail it.
      const banned = SRC_FOLDERS.map((f) => `src/${f}`).find(
        (f) =>
          !within(f, layer) &&
          !within(layer, f) &&
          !rule.imports.some((e) => within(f, e) || within(e, f)) &&
          !(rule.typeImports ?? []).some((e) => within(f, e) || within(e, f)),
      );
      if (banned) {
        const messages = await lint(file, `import { x } from '${spec(file, `${banned}/some-module.ts`)}';\nexport const y = x;\n`);
        assert.equal(messages.length, 1, `${layer} importing ${banned}: ${messages.join('; ') || 'no error'}`);
        assert.match(messages[0]!, /may not import/);
      }
      const allowed = rule.imports.find((e) => e.startsWith('src/') && !within(e, layer));
      if (allowed) {
        const target = allowed.endsWith('.ts') ? allowed : `${allowed}/some-module.ts`;
        assert.deepEqual(await lint(file, `import { x } from '${spec(file, target)}';\nexport const y = x;\n`), [], `${layer} may import ${allowed}`);
      }
      if (!rule.io) {
        const messages = await lint(file, "import { readFileSync } from 'node:fs';\nexport const y = readFileSync;\n");
        assert.equal(messages.length, 1, `${layer} is pure: node:fs must fail`);
      }
    });
  }

  test('type-only imports pass where only types are allowed, values do not', async () => {
    const file = 'src/observe/fixture.ts';
    assert.deepEqual(await lint(file, "import type { ResolvedConfig } from '../config/schema.js';\nexport type Y = ResolvedConfig;\n"), []);
    assert.equal((await lint(file, "import { configSchema } from '../config/schema.js';\nexport const y = configSchema;\n")).length, 1);
  });

  test("the report's page script imports types only: the model's and uPlot's, nothing at run time", async () => {
    const file = 'src/report/browser/fixture.ts';
    assert.deepEqual(await lint(file, "import type { RunResult } from '../../model/result.js';\nexport type Y = RunResult;\n"), []);
    assert.deepEqual(await lint(file, "import type UPlot from 'uplot';\nexport type Y = UPlot;\n"), []);
    for (const code of [
      "import { isUsageDetails } from '../../model/result.js';\nexport const y = isUsageDetails;\n",
      "import uPlot from 'uplot';\nexport const y = uPlot;\n",
      "export const load = () => import('../../model/result.js');\n",
      "import type { StoredRun } from '../../model/timeline.js';\nimport { renderHtmlReport } from '../html-report.js';\nexport const y: StoredRun | typeof renderHtmlReport = renderHtmlReport;\n",
    ]) {
      const messages = await lint(file, code);
      assert.equal(messages.length, 1, `${code}: ${messages.join('; ') || 'no error'}`);
      assert.match(messages[0]!, /imports types only/);
    }
  });

  test('no loop runs back up the layers: each edge that made one fails, types included', async () => {
    const edges: [string, string][] = [
      // config ⇄ analysis: analysis owns its objective types
      ['src/analysis/fixture.ts', "import type { ResolvedConfig } from '../config/schema.js';\nexport type Y = ResolvedConfig;\n"],
      // config ⇄ drills: a drill kind builds its schema from the leaf, never from the config
      ['src/drills/fixture.ts', "import type { ResolvedConfig } from '../config/schema.js';\nexport type Y = ResolvedConfig;\n"],
      // config ⇄ platforms: the zod helpers are a leaf
      ['src/schema/fixture.ts', "import type { ResolvedConfig } from '../config/schema.js';\nexport type Y = ResolvedConfig;\n"],
      ['src/platforms/local/fixture.ts', "import { obj } from '../../config/schema.js';\nexport const y = obj;\n"],
      // platforms ⇄ audit: the audit reads a cluster through its own read-only interface
      ['src/audit/fixture.ts', "import type { KubeClient } from '../platforms/kubernetes/client.js';\nexport type Y = KubeClient;\n"],
      // engine → cli: the process worker's entry lives with the engine
      ['src/engine/fixture.ts', "import { main } from '../cli/main.js';\nexport const y = main;\n"],
    ];
    for (const [file, code] of edges) assert.equal((await lint(file, code)).length, 1, `${file}: ${code}`);
  });

  test('platform implementations load lazily: a dynamic import passes where a static one fails', async () => {
    const file = 'src/platforms/registry-fixture.ts';
    assert.deepEqual(await lint(file, "export const load = () => import('./kubernetes/client.js');\n"), []);
    assert.equal((await lint(file, "import { KubeClient } from './kubernetes/client.js';\nexport const c = KubeClient;\n")).length, 1);
    assert.equal(
      (await lint('src/cli/main-fixture.ts', "import { runCommand } from './commands/run.js';\nexport const r = runCommand;\n")).length,
      1,
      'commands are imported lazily',
    );
  });

  test('only src/platforms/kubernetes/client.ts imports @kubernetes/client-node', async () => {
    const code = "import { KubeConfig } from '@kubernetes/client-node';\nexport const k = KubeConfig;\n";
    assert.deepEqual(await lint('src/platforms/kubernetes/client.ts', code), []);
    const messages = await lint('src/platforms/kubernetes/kubernetes-platform.ts', code);
    assert.equal(messages.length, 1);
    assert.match(messages[0]!, /only src\/platforms\/kubernetes\/client\.ts may import @kubernetes\/client-node/);
  });

  test('every folder under src/ has a layer rule, and a new one without fails', async () => {
    const folders: string[] = [];
    const walk = (dir: string): void => {
      for (const name of readdirSync(path.join(PACKAGE_ROOT, dir))) {
        const rel = `${dir}/${name}`;
        if (statSync(path.join(PACKAGE_ROOT, rel)).isDirectory()) {
          folders.push(rel);
          walk(rel);
        }
      }
    };
    walk('src');
    for (const f of folders) assert.ok(f in LAYERS, `${f} has no entry in eslint/layers.js`);
    const messages = await lint('src/brand-new-folder/thing.ts', "import { x } from '../model/result.js';\nexport const y = x;\n");
    assert.match(messages[0] ?? '', /src\/brand-new-folder has no layer rule/);
  });
});
