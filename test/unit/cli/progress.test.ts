import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createProgress } from '../../../src/cli/progress.js';

test('progress: silent while the task is quick, then a line every interval, and each new phase', () => {
  let clock = 0;
  const lines: string[] = [];
  let described = 0;
  const progress = createProgress(
    (l) => lines.push(l),
    () => clock,
    { quietMs: 2000, everyMs: 1000 },
  );
  const step = (n: number): void =>
    progress.step(() => {
      described++;
      return `step ${n}`;
    });
  for (let n = 1; n <= 4; n++, clock += 500) step(n); // 0 … 1,500 ms: quiet
  progress.phase('next phase'); // 2,000 ms
  for (let n = 6; n <= 12; n++, clock += 300) step(n); // 2,000 … 3,800 ms: one line, a second after the phase's
  assert.deepEqual(lines, ['next phase', 'step 10']);
  assert.equal(described, 1, 'a line is built only when it is written');
  const quick = createProgress(
    (l) => lines.push(l),
    () => clock,
  );
  quick.step(() => 'never');
  quick.phase('never either');
  assert.equal(lines.length, 2);
});
