// Sorts last in the suite: every golive temp folder a test made has been removed.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { test } from 'node:test';
import { CENSUS_FILE, ourTempEntries } from './helpers/temp-census.js';

test('the suite left no golive temp folder behind', (t) => {
  if (!existsSync(CENSUS_FILE)) {
    t.skip('run alone, without the census at the start of the suite');
    return;
  }
  const before = new Set(JSON.parse(readFileSync(CENSUS_FILE, 'utf8')) as string[]);
  rmSync(CENSUS_FILE);
  assert.deepEqual(
    ourTempEntries().filter((e) => !before.has(e)),
    [],
  );
});
