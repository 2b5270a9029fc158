import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileTemplate } from '../../../src/engine/template.js';
import { weightedCycle } from '../../../src/engine/worker/request-mix.js';
import { parseJsonPath, readJsonPath } from '../../../src/engine/json-path.js';
import { parseCsv } from '../../../src/config/data-file.js';

test('weighted cycle: exact shares, evenly interleaved', () => {
  const cycle = weightedCycle([8, 2]);
  assert.equal(cycle.length, 10);
  assert.equal(cycle.filter((i) => i === 1).length, 2);
  assert.notEqual(cycle.indexOf(1), cycle.lastIndexOf(1) - 1, 'the two light requests are not adjacent');
});

test('templates: constants stay constant, placeholders render', () => {
  assert.deepEqual(compileTemplate('/items', {}), { constant: '/items' });
  assert.deepEqual(compileTemplate('/x/{{env.HOME_ID}}', { HOME_ID: '7' }), { constant: '/x/7' });
  const t = compileTemplate('/c/{{seq}}?t={{ts}}&r={{randomInt 3 3}}&s={{data.sku}}', {}, ['sku']);
  assert.ok('render' in t);
  assert.equal(t.render({ seq: 42, tsMs: 1000.4, row: { sku: 'A1' } }), '/c/42?t=1000&r=3&s=A1');
  const u = compileTemplate('{{uuid}}', {});
  assert.ok('render' in u && /^[0-9a-f-]{36}$/.test(u.render({ seq: 0, tsMs: 0, row: undefined })));
  assert.throws(() => compileTemplate('{{nope}}', {}), /unknown placeholder \{\{nope\}\}/);
  assert.throws(() => compileTemplate('{{env.MISSING_VAR_X}}', {}), /environment variable MISSING_VAR_X is not set/);
  assert.throws(() => compileTemplate('{{data.price}}', {}, ['sku']), /no column "price" \(it has: sku\)/);
});

test('JSON paths', () => {
  const steps = parseJsonPath("$.items[1]['na me'].id");
  assert.deepEqual(steps, ['items', 1, 'na me', 'id']);
  assert.equal(readJsonPath({ items: [{}, { 'na me': { id: 9 } }] }, steps), 9);
  assert.equal(parseJsonPath('items'), undefined);
});

test('CSV: quotes, escaped quotes, CRLF, and a clear error for a short row', () => {
  assert.deepEqual(parseCsv('sku,name\r\nA1,"Big, red"\nB2,"say ""hi"""\n', 'x.csv'), [
    { sku: 'A1', name: 'Big, red' },
    { sku: 'B2', name: 'say "hi"' },
  ]);
  assert.throws(() => parseCsv('a,b\n1,2\n3\n', 'd.csv'), /d\.csv has a problem:\n {2}✖ line 3: expected 2 fields \(a, b\), found 1/);
});
