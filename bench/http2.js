// HTTP/2 throughput on one core against h2load, side by side in the same run: nginx speaking h2c (one worker,
// pinned to core 1), each generator pinned to core 0, the same sessions × concurrent streams, N seconds,
// interleaved repetitions, medians. golive records every request in its histograms.
import { GEN_CPU, has, median, pinned, run, runGolive, startNginx } from './lib.js';

const SHAPES = [
  { sessions: 10, streams: 10 },
  { sessions: 10, streams: 1 },
];

export async function http2Bench({ seconds, reps }) {
  if (!has('h2load')) return undefined;
  const nginx = await startNginx(18_185, { http2: true });
  const rows = [];
  try {
    for (const { sessions, streams } of SHAPES) {
      const h2load = [];
      const golive = [];
      for (let rep = 0; rep < reps; rep++) {
        const [cmd, args] = pinned(GEN_CPU, 'h2load', [`-c${sessions}`, `-m${streams}`, '-D', String(seconds), nginx.url]);
        const out = await run(cmd, args);
        h2load.push(Number(/finished in [\d.]+s, ([\d.]+) req\/s/.exec(out)[1]));
        const d = await runGolive([
          'load',
          nginx.url,
          '--http2',
          '--vus',
          String(sessions * streams),
          '--connections',
          String(sessions),
          '--threads',
          '1',
          '-d',
          `${seconds}s`,
        ]);
        golive.push(d.requests.total / (d.load.durationMs / 1000));
      }
      rows.push({ sessions, streams, h2load: median(h2load), golive: median(golive), runs: { h2load, golive } });
    }
  } finally {
    nginx.stop();
  }
  return rows;
}
