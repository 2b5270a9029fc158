import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CookieJar } from '../../../src/engine/worker/journeys/cookie-jar.js';
import { compileExtraction } from '../../../src/engine/worker/journeys/extract.js';

describe('journey extractions', () => {
  const html = Buffer.from('<form><input type="hidden" name="csrf" value="a+b/c="><input name="user"></form>');

  test('a JSON field, a regex group, a header, a cookie; what each wants of the response', () => {
    const jar = new CookieJar('127.0.0.1', true);
    jar.store(['sid=s1'], '/', Date.now());
    const e = compileExtraction({
      token: { jsonPath: '$.auth.token' },
      n: { jsonPath: '$.items[1]' },
      loc: { header: 'location' },
      sid: { cookie: 'sid' },
    })!;
    assert.deepEqual([e.wantsBody, e.headerNames], [true, ['location']]);
    const found = e.run(Buffer.from('{"auth":{"token":"t-1"},"items":[1,2]}'), ['location', '/shop/9', 'location', '/second'], jar, Date.now());
    assert.deepEqual(found, { values: { token: 't-1', n: '2', loc: '/shop/9', sid: 's1' } });
    const csrf = compileExtraction({ csrf: { regex: 'name="csrf" value="([^"]+)"' } })!;
    assert.deepEqual([csrf.wantsBody, csrf.headerNames], [true, []]);
    assert.deepEqual(csrf.run(html, undefined, undefined, Date.now()), { values: { csrf: 'a+b/c=' } });
  });

  test('the first value not found is named: a missing field, null, a body that is not JSON, no match, a value over 64 KiB', () => {
    const e = compileExtraction({ a: { jsonPath: '$.a' }, b: { jsonPath: '$.b' } })!;
    assert.deepEqual(e.run(Buffer.from('{"a":"x","b":null}'), undefined, undefined, 0), { missing: 'b' });
    assert.deepEqual(e.run(Buffer.from('<html>'), undefined, undefined, 0), { missing: 'a' });
    assert.deepEqual(e.run(undefined, undefined, undefined, 0), { missing: 'a' });
    const r = compileExtraction({ csrf: { regex: 'name="token" value="([^"]+)"' } })!;
    assert.deepEqual(r.run(html, undefined, undefined, 0), { missing: 'csrf' });
    assert.equal(compileExtraction({}), undefined);
    // A value over 64 KiB is not taken: it would travel in every later request.
    const huge = compileExtraction({ t: { jsonPath: '$.t' } })!;
    assert.deepEqual(huge.run(Buffer.from(JSON.stringify({ t: 'x'.repeat(70_000) })), undefined, undefined, 0), { missing: 't' });
    assert.deepEqual(huge.run(Buffer.from(JSON.stringify({ t: 'x'.repeat(60_000) })), undefined, undefined, 0), { values: { t: 'x'.repeat(60_000) } });
  });
});
