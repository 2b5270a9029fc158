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

test('with several components, each is judged on its own spread: a one-replica store holds a zone by itself', () => {
  const even = { byZone: { a: 1, b: 1, c: 1 }, byNode: {} };
  // 6 replicas with 3 in zone a is no skew when they are a store (1), a front (1 of 2) and an api (1 of 3).
  const system = {
    byZone: { a: 3, b: 2, c: 1 },
    byNode: {},
    byComponent: { store: { byZone: { a: 1, b: 0, c: 0 }, byNode: {} }, front: { byZone: { a: 1, b: 1, c: 0 }, byNode: {} }, api: even },
  };
  assert.equal(placementSkew(system), undefined);
  const skewed = { ...system, byComponent: { ...system.byComponent, api: { byZone: { a: 2, b: 1, c: 0 }, byNode: {} } } };
  assert.match(placementSkew(skewed) ?? '', /^api: a runs 2 of the 3 replicas/);
});
