import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileTemplate, envNamesIn, escapeTemplate } from '../../../src/engine/template.js';

const ctx = { seq: 7, tsMs: 0, row: undefined, vars: { x: 'X' } };

function rendered(source: string): string {
  const t = compileTemplate(source, { HOME: '/home/secret' }, undefined, { vars: ['x'] });
  return 'constant' in t ? t.constant : t.render(ctx);
}

test("templates: {{'{{'}} is a literal {{, and a brace beside a placeholder is literal", () => {
  assert.equal(rendered("{{'{{'}}env.HOME}}"), '{{env.HOME}}');
  assert.equal(rendered("a {{ '{{' }}seq}} b {{seq}}"), 'a {{seq}} b 7');
  assert.deepEqual(envNamesIn("{{'{{'}}env.HOME}}"), [], 'an escaped placeholder reads no environment variable');
  // One brace is never part of a placeholder: `{` then `{{seq}}`, `{{seq}}` then `}`.
  assert.equal(rendered('{{{seq}}}'), '{7}');
  assert.equal(rendered("{{{'{{'}}"), '{{{');
  assert.equal(rendered('{"a":"{{{vars.x}}"}'), '{"a":"{X"}');
});

test('escapeTemplate: any text renders as itself, beside placeholders too', () => {
  // Every string of up to 4 of `{`, `}`, `'` and `a`, alone and on both sides of a placeholder.
  const texts = [''];
  for (let n = 0; n < 4; n++) for (const t of texts.filter((x) => x.length === n)) for (const c of ['{', '}', "'", 'a']) texts.push(t + c);
  for (const a of texts) {
    assert.equal(rendered(escapeTemplate(a)), a);
    for (const b of texts) assert.equal(rendered(`${escapeTemplate(a)}{{vars.x}}${escapeTemplate(b)}`), `${a}X${b}`);
  }
  for (const text of ['{{env.HOME}}', '{{vars.x}}', '{{seq}}', "{{'{{'}}", '{{{{seq}}}}', '}}{{']) assert.equal(rendered(escapeTemplate(text)), text);
  assert.equal(escapeTemplate('Bearer {{env.TOKEN}}'), "Bearer {{'{{'}}env.TOKEN}}");
});
