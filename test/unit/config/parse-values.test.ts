import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDuration } from '../../../src/schema/duration.js';
import { formatDuration } from '../../../src/model/format.js';
import { parseRate } from '../../../src/schema/rate.js';
import { parseThreshold, THRESHOLD_HELP } from '../../../src/analysis/threshold.js';

test('durations', () => {
  assert.equal(parseDuration('30s'), 30_000);
  assert.equal(parseDuration('1m30s'), 90_000);
  assert.equal(parseDuration('250ms'), 250);
  assert.equal(parseDuration('2.5s'), 2500);
  assert.equal(parseDuration('1h'), 3_600_000);
  assert.equal(parseDuration(1500), 1500);
  assert.equal(parseDuration('30'), undefined, 'a bare number in a string is ambiguous');
  assert.equal(parseDuration('30 s'), undefined);
  assert.equal(parseDuration('soon'), undefined);
  assert.equal(parseDuration(-1), undefined);
  assert.equal(formatDuration(0), '0s');
  assert.equal(formatDuration(1500), '1.5s');
  assert.equal(formatDuration(125_000), '2m5s');
});

test('rates', () => {
  assert.equal(parseRate(200), 200);
  assert.equal(parseRate('200/s'), 200);
  assert.equal(parseRate('600/m'), 10);
  assert.equal(parseRate('200'), 200);
  assert.equal(parseRate('fast'), undefined);
  assert.equal(parseRate(0), undefined);
});

test('thresholds', () => {
  assert.deepEqual(parseThreshold('p(95)<300'), { source: 'p(95)<300', metric: { kind: 'latency', stat: 'p', percentile: 95 }, op: '<', value: 300 });
  assert.deepEqual(parseThreshold('max<2s'), { source: 'max<2s', metric: { kind: 'latency', stat: 'max' }, op: '<', value: 2000 });
  assert.deepEqual(parseThreshold('rate(failed)<0.001'), { source: 'rate(failed)<0.001', metric: { kind: 'rate', outcome: 'failed' }, op: '<', value: 0.001 });
  assert.deepEqual(parseThreshold('count(http_5xx)==0'), { source: 'count(http_5xx)==0', metric: { kind: 'count', outcome: 'http_5xx' }, op: '==', value: 0 });
  assert.deepEqual(parseThreshold('rps>=190'), { source: 'rps>=190', metric: { kind: 'rps' }, op: '>=', value: 190 });
  assert.equal(parseThreshold('p95<300'), THRESHOLD_HELP);
  assert.equal(parseThreshold('rate(failed)<5'), 'rate(failed) is a fraction between 0 and 1 (0.001 = 0.1 %), got 5');
  assert.equal(parseThreshold('p(0)<5'), 'percentile must be in (0, 100], got 0');
});
