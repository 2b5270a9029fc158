// Journeys against the flat mix on the same target: a 5-step journey, one JSON
// extraction per step, each step sending the previous step's token, against a flat mix of the same five
// URLs. Closed model, 50 VUs, one worker thread on core 0, nginx on core 1; requests per second, median of R
// interleaved repetitions.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { benchTempDir, median, runGolive, startNginx } from './lib.js';

const STEPS = 5;

export async function journeysBench({ seconds, reps }) {
  // Every path answers a small JSON body holding a token.
  const target = await startNginx(18_191, { answer: `return 200 '{"token":"tok-$request_id","ok":true}';`, contentType: 'application/json' });
  const dir = benchTempDir('golive-bench-journeys-');
  const url = target.url.replace(/\/$/, '');
  const flat = path.join(dir, 'flat.json');
  const checked = path.join(dir, 'checked.json');
  const journey = path.join(dir, 'journey.json');
  const load = { executor: 'constant-vus', vus: 50, duration: `${seconds}s`, threads: 1 };
  writeFileSync(
    flat,
    JSON.stringify({ target: { url }, load: { ...load, requests: Array.from({ length: STEPS }, (_, i) => ({ name: `s${i}`, url: `/step${i}` })) } }),
  );
  // The same mix with a JSON check on every request: it reads every body, as the journey's extractions do.
  writeFileSync(
    checked,
    JSON.stringify({
      target: { url },
      load: { ...load, requests: Array.from({ length: STEPS }, (_, i) => ({ name: `s${i}`, url: `/step${i}`, check: { jsonPath: { '$.ok': true } } })) },
    }),
  );
  writeFileSync(
    journey,
    JSON.stringify({
      target: { url },
      load: {
        ...load,
        journeys: [
          {
            name: 'five',
            steps: Array.from({ length: STEPS }, (_, i) => ({
              name: `s${i}`,
              url: `/step${i}`,
              ...(i > 0 ? { headers: { authorization: `Bearer {{vars.t${i - 1}}}` } } : {}),
              extract: { [`t${i}`]: { jsonPath: '$.token' } },
            })),
          },
        ],
      },
    }),
  );
  const runs = { flat: [], checked: [], journeys: [] };
  try {
    for (let rep = 0; rep < reps; rep++) {
      for (const [name, file] of [
        ['flat', flat],
        ['checked', checked],
        ['journeys', journey],
      ]) {
        const d = await runGolive(['run', '-c', file]);
        if (d.requests.failed > 0) throw new Error(`${name}: ${d.requests.failed} requests failed`);
        runs[name].push(d.requests.total / (d.load.durationMs / 1000));
      }
    }
  } finally {
    target.stop();
  }
  return { runs, median: { flat: median(runs.flat), checked: median(runs.checked), journeys: median(runs.journeys) } };
}
