import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { outcomeOfErrorText, parseK6Line, parseLocustLine } from '../../../src/engine/external/records.js';
import { PACKAGE_ROOT } from '../../../src/package-root.js';

test("k6's JSON output (a fixture in its documented format: k6 is not in Debian): one record per http_req_duration point", () => {
  const lines = readFileSync(path.join(PACKAGE_ROOT, 'test', 'fixtures', 'external', 'k6-output.json'), 'utf8')
    .trim()
    .split('\n');
  const records = lines.map(parseK6Line).filter((r) => r !== undefined);
  assert.deepEqual(
    records.map((r) => [r.outcome, r.elapsedMs, r.label]),
    [
      ['ok', 12.5, 'http://127.0.0.1:8080/'],
      ['connect_refused', 0.3, 'http://127.0.0.1:8080/'],
      ['http_503', 40, 'checkout'],
      ['timeout', 5000, 'slow'],
      ['check_failed', 2, 'wrong body'],
    ],
    'the Metric line and the http_reqs point are not requests',
  );
  assert.equal(records[0]!.startEpochMs, Date.parse('2026-12-01T10:00:00.000Z') + 0.123456, 'the nanoseconds below a millisecond are kept');
  assert.equal(records[2]!.startEpochMs, Date.parse('2026-12-01T09:00:00.030Z'), 'the time zone is honoured');
});

test("golive's Locust hook lines: status, error text and start time", () => {
  assert.deepEqual(parseLocustLine('{"t": 1700000000.5, "ms": 3.2, "name": "/", "status": 200, "error": null}'), {
    startEpochMs: 1700000000500,
    elapsedMs: 3.2,
    outcome: 'ok',
    label: '/',
  });
  assert.equal(
    parseLocustLine('{"t": 1, "ms": 1, "name": "/", "status": 0, "error": "ConnectionRefusedError(111, \'Connection refused\')"}')!.outcome,
    'connect_refused',
  );
  assert.equal(parseLocustLine('{"t": 1, "ms": 1, "name": "/", "status": 503, "error": "HTTPError(\'503 Server Error\')"}')!.outcome, 'http_503');
  assert.equal(parseLocustLine('{"t": 1, "ms": 1, "name": "/", "status": 200, "error": "CatchResponseError(\'no token\')"}')!.outcome, 'check_failed');
  assert.equal(parseLocustLine('not json'), undefined);
  assert.equal(parseLocustLine('{"ms": 1}'), undefined, 'no start time: not a record');
  assert.equal(outcomeOfErrorText("RemoteDisconnected('Remote end closed connection without response')"), 'connection_reset');
  assert.equal(outcomeOfErrorText('ReadTimeout: read timed out'), 'timeout');
});
