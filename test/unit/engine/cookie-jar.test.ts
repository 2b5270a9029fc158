import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CookieJar } from '../../../src/engine/worker/journeys/cookie-jar.js';

const NOW = Date.parse('2026-12-01T12:00:00Z');

describe('cookie jar (one origin, RFC 6265)', () => {
  test('a cookie comes back on later requests; the same name and path replaces it', () => {
    const jar = new CookieJar('shop.example', false);
    jar.store(['sid=abc; Path=/; HttpOnly; SameSite=Lax'], '/login', NOW);
    assert.equal(jar.header('/cart?x=1', NOW), 'sid=abc');
    jar.store(['sid=def; Path=/'], '/login', NOW);
    assert.equal(jar.header('/', NOW), 'sid=def');
    assert.equal(jar.size, 1);
  });

  test('the default path is the request path’s directory; a path matches itself and below, not a prefix of a name', () => {
    const jar = new CookieJar('shop.example', false);
    jar.store(['a=1'], '/account/login?next=/', NOW);
    assert.equal(jar.header('/account/orders', NOW), 'a=1');
    assert.equal(jar.header('/account', NOW), 'a=1');
    assert.equal(jar.header('/accounting', NOW), undefined);
    assert.equal(jar.header('/', NOW), undefined);
    jar.store(['b=2; Path=/'], '/account/login', NOW);
    // Longer paths first.
    assert.equal(jar.header('/account/x', NOW), 'a=1; b=2');
  });

  test('Max-Age wins over Expires; a past expiry or Max-Age=0 deletes the cookie', () => {
    const jar = new CookieJar('shop.example', false);
    jar.store(['a=1; Max-Age=60; Expires=Thu, 01 Jan 1970 00:00:00 GMT', 'b=2; Expires=Wed, 01 Dec 2027 00:00:00 GMT'], '/', NOW);
    assert.equal(jar.header('/', NOW), 'a=1; b=2');
    assert.equal(jar.header('/', NOW + 61_000), 'b=2', 'a expired after its Max-Age');
    jar.store(['b=gone; Max-Age=0'], '/', NOW);
    assert.equal(jar.header('/', NOW), 'a=1');
    jar.store(['a=x; Expires=Thu, 01 Jan 1970 00:00:00 GMT'], '/', NOW);
    assert.equal(jar.header('/', NOW), undefined);
  });

  test('a Domain that does not cover the host is rejected; a parent domain is kept', () => {
    const jar = new CookieJar('www.shop.example', false);
    jar.store(['evil=1; Domain=other.example', 'ok=1; Domain=.shop.example'], '/', NOW);
    assert.equal(jar.header('/', NOW), 'ok=1');
    const ip = new CookieJar('127.0.0.1', true);
    ip.store(['x=1; Domain=0.0.1', 'y=1; Domain=127.0.0.1'], '/', NOW);
    assert.equal(ip.header('/', NOW), 'y=1');
  });

  test('Secure cookies go over https and to loopback only', () => {
    const plain = new CookieJar('shop.example', false);
    plain.store(['s=1; Secure', 'p=2'], '/', NOW);
    assert.equal(plain.header('/', NOW), 'p=2');
    const secure = new CookieJar('127.0.0.1', true);
    secure.store(['s=1; Secure'], '/', NOW);
    assert.equal(secure.header('/', NOW), 's=1');
  });

  test('what a server cannot make the jar hold: no name=value pair, a 5 KB cookie, more than 50 cookies', () => {
    const jar = new CookieJar('shop.example', false);
    jar.store(['novalue', '=nameless', `big=${'x'.repeat(5000)}`], '/', NOW);
    assert.equal(jar.size, 0);
    jar.store(
      Array.from({ length: 80 }, (_, i) => `c${i}=${i}`),
      '/',
      NOW,
    );
    assert.equal(jar.size, 50);
    assert.equal(jar.value('c79', NOW), '79', 'the newest are kept');
    assert.equal(jar.value('c0', NOW), undefined);
  });
});
