// Sorts first in the suite: the temp folder as the suite found it (see zzz-census-end.test.ts).
import { writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { CENSUS_FILE, ourTempEntries } from './helpers/temp-census.js';

test('the temp folder before the suite', () => {
  writeFileSync(CENSUS_FILE, JSON.stringify(ourTempEntries()));
});
