import assert from 'node:assert/strict';
import { test } from 'node:test';
import { placementSkew } from '../../../src/analysis/placement.js';

test('a placement is skewed when one zone holds more than its share', () => {
  assert.equal(placementSkew({ byZone: { a: 1, b: 1, c: 1 }, byNode: {} }), undefined);
  assert.equal(placementSkew({ byZone: { a: 2, b: 2, c: 1 }, byNode: {} }), undefined, '5 over 3 zones: a share is 2');
  assert.equal(
    placementSkew({ byZone: { a: 2, b: 1, c: 0 }, byNode: {} }),
    "a runs 2 of the 3 replicas (a zone's share is 1): losing it takes more than a zone's worth",
  );
  assert.equal(placementSkew({ byZone: { a: 3 }, byNode: {} }), undefined, 'one zone: nothing to lose but all');
});
