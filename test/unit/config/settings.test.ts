/**
 * The settings table (src/config/settings.ts) is the one source of the command line's settings: README's
 * table is its rendering, `--help` declares its flags, the schema applies the defaults it shows, and the
 * precedence reads its variables. Run with GOLIVE_WRITE_README=1 to rewrite README's table from it.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, test } from 'node:test';
import { main } from '../../../src/cli/main.js';
import { loadConfig } from '../../../src/config/load-config.js';
import { resolveSettings } from '../../../src/config/precedence.js';
import { ENV_COMMANDS, longFlag, SETTINGS, type Setting, type SettingsCommand } from '../../../src/config/settings.js';
import { tempDir } from '../../helpers/temp-dir.js';

const README = path.resolve(import.meta.dirname, '../../../../README.md');
const START = '<!-- settings: generated from src/config/settings.ts by test/unit/config/settings.test.ts (GOLIVE_WRITE_README=1 rewrites it) -->';
const END = '<!-- end of settings -->';

function commandsOf(s: Setting): string {
  return s.flag ? s.flag.commands.map((c) => `golive ${c}`).join(', ') : '';
}

/** README's settings section, from the table. */
function renderSettings(): string {
  const code = (t: string | number | undefined): string => (t === undefined || t === '' ? '' : `\`${t}\``);
  const rows = SETTINGS.map((s) => `| ${code(s.key)} | ${code(s.flag?.spec)} | ${commandsOf(s)} | ${code(s.env)} | ${code(s.default)} | ${s.help} |`);
  const variables = SETTINGS.flatMap((s) => (s.env ? [`\`${s.env}\``] : []));
  const ignoring = [...new Set(SETTINGS.flatMap((s) => s.flag?.commands ?? []))].filter((c) => !ENV_COMMANDS.includes(c));
  return [
    START,
    '| config key | flag | on | variable | default | what it sets |',
    '|---|---|---|---|---|---|',
    ...rows,
    '',
    `Settings apply in this order: command line > \`GOLIVE_*\` variables (${variables.join(', ')}) > config file > defaults.`,
    `${ignoring.map((c) => `\`golive ${c}\``).join(', ')} runs its own config and reads no variable.`,
    'An error in a setting names the flag or the variable as typed: `✖ --rate (load.rate): expected a rate …`.',
    END,
  ].join('\n');
}

describe('the settings table', () => {
  test("README's settings table is the table's rendering", () => {
    const readme = readFileSync(README, 'utf8');
    const start = readme.indexOf(START);
    const end = readme.indexOf(END);
    const cli = readme.indexOf('## CLI');
    assert.ok(start > cli && end > start && end < readme.indexOf('\n## ', cli + 1), "README's ## CLI section holds the generated settings table");
    const rendered = renderSettings();
    if (process.env['GOLIVE_WRITE_README'] === '1') writeFileSync(README, readme.slice(0, start) + rendered + readme.slice(end + END.length));
    else
      assert.equal(readme.slice(start, end + END.length), rendered, 'README disagrees with src/config/settings.ts: rerun this test with GOLIVE_WRITE_README=1');
  });

  test('each default shown is the one the schema applies; a setting shown without one has none', async () => {
    const cwd = tempDir('golive-settings-');
    const base = { target: { url: 'http://127.0.0.1:1' }, load: { requests: [{ url: '/' }] } };
    const resolvedAt = async (overrides: Record<string, unknown>, key: string): Promise<unknown> => {
      const { config } = await loadConfig({ cwd, inline: base, overrides });
      return key.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], config);
    };
    // target.url is required (the base gives it): it has no default to show.
    for (const s of SETTINGS.filter((x) => x.key !== 'target.url')) {
      const byDefault = await resolvedAt({}, s.key);
      if (s.default === undefined) {
        const empty =
          byDefault === undefined || byDefault === false || (typeof byDefault === 'object' && byDefault !== null && Object.keys(byDefault).length === 0);
        assert.ok(empty, `${s.key} has a default the table does not show: ${JSON.stringify(byDefault)}`);
        continue;
      }
      assert.deepEqual(byDefault, await resolvedAt({ [s.key]: s.parse(String(s.default)) }, s.key), `${s.key}: the schema's default is not ${s.default}`);
    }
  });

  test('every flag is declared on the commands the table names, with its key and default in --help', async () => {
    const helpOf = async (command: SettingsCommand): Promise<string> => {
      const stdout = new PassThrough();
      let text = '';
      stdout.on('data', (d: Buffer) => (text += d.toString()));
      const code = await main([command, '--help'], { stdout, stderr: new PassThrough(), stdin: new PassThrough(), cwd: tempDir(), env: {} });
      assert.equal(code, 0);
      return text.replace(/\s+/g, ' ');
    };
    for (const command of ['load', 'run', 'demo'] as const) {
      const help = await helpOf(command);
      for (const s of SETTINGS) {
        const declared = help.includes(` ${longFlag(s.flag?.spec ?? '--none')} `);
        assert.equal(declared, Boolean(s.flag?.commands.includes(command)), `golive ${command} ${s.flag?.spec ?? s.key}`);
        if (declared) assert.ok(help.includes(`${s.key}${s.default !== undefined ? `; default ${s.default}` : ''}`), `${command} --help: ${s.key}`);
      }
    }
  });

  test('every variable sets its key, named as typed; the command line wins', () => {
    for (const s of SETTINGS.filter((x) => x.env)) {
      const { overrides, origins } = resolveSettings({ [s.env!]: 'from-env' });
      assert.deepEqual(overrides, { [s.key]: s.parse('from-env') });
      assert.deepEqual(origins, { [s.key]: s.env });
      const cli = resolveSettings({ [s.env!]: 'from-env' }, { [s.key]: { value: 'typed', flag: '--typed' } });
      assert.deepEqual(cli.overrides, { [s.key]: 'typed' });
    }
  });
});
