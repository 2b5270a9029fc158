import assert from 'node:assert/strict';
import { test } from 'node:test';
import { redactUrl } from '../../../src/model/format.js';
import { redactConfig } from '../../../src/run/redact.js';

test('run.json hides every secret a config holds: URL passwords and keys, secret-named headers, env and fields, values read from the environment', () => {
  const env = { SHOP_API_KEY: 'k-123456789', HOME: '/home/alice', DB_PASSWORD: 'hunter22', SHORT_TOKEN: 'ab' };
  const config = {
    target: { url: 'https://alice:s3cret@shop.example/?api_key=abc123&page=2' },
    load: {
      requests: [
        { url: '/search?q=shoes&access_token=tok-9', headers: { Authorization: 'Bearer literal', 'X-Trace': 'keep-me', 'X-Api-Key': '{{env.SHOP_API_KEY}}' } },
        { url: '/login', method: 'POST', body: '{"user":"bob","password":"pw-1"}' },
        { url: '/form', method: 'POST', body: 'user=bob&passwd=pw-2&next=%2F' },
        // A .ts config that read the environment itself: the value is in the config.
        { url: '/x', headers: { 'X-Custom': 'k-123456789' }, body: 'raw text with hunter22 inside' },
      ],
    },
    platform: { kind: 'local', app: { command: 'node api.js', env: { DB_PASSWORD: 'pw-3', DATABASE_URL: 'postgres://app:pw-4@db/shop', PORT_HINT: '8080' } } },
    drills: { 'disaster-recovery': { canary: { write: { json: { seq: '{{seq}}', secretNote: 'pw-5' } } } } },
  };
  const text = JSON.stringify(redactConfig(config, env));
  for (const secret of ['s3cret', 'abc123', 'tok-9', 'literal', 'pw-1', 'pw-2', 'pw-3', 'pw-4', 'pw-5', 'k-123456789', 'hunter22'])
    assert.ok(!text.includes(secret), `${secret} is hidden in ${text}`);
  for (const kept of ['keep-me', 'page=2', 'q=shoes', '{{env.SHOP_API_KEY}}', 'user=bob', '\\"user\\":\\"bob\\"', 'next=%2F', '8080', '{{seq}}', 'node api.js'])
    assert.ok(text.includes(kept), `${kept} is kept in ${text}`);
  const paths = JSON.stringify(redactConfig({ app: { cwd: '/home/alice/shop' } }, env));
  assert.ok(paths.includes('/home/alice/shop'), 'the value of a variable not named as a secret (HOME) is not hunted');
});

test('redactUrl hides the password, a token in the user part and secret-named query values, and keeps env templates', () => {
  assert.equal(redactUrl('https://alice:s3cret@shop.example.com/x?y=1'), 'https://alice:***@shop.example.com/x?y=1');
  assert.equal(redactUrl('http://h/x?api_key=abc&page=2&Token=t'), 'http://h/x?api_key=***&page=2&Token=***');
  assert.equal(redactUrl('http://h/x?api_key={{env.KEY}}'), 'http://h/x?api_key={{env.KEY}}');
  assert.equal(redactUrl('http://h/a@b'), 'http://h/a@b');
});
