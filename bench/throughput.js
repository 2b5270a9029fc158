// Throughput on one core against peers, side by side in the same run (issue 2 "Speed").
// Method: nginx `return 200` pinned to core 1; each generator pinned to core 0 in turn; 50 keep-alive
// connections; N seconds; R interleaved repetitions; the median of each. golive records every request
// in its histograms (closed model: 50 VUs, one worker thread).
import { GEN_CPU, has, machineLoad, median, pinned, run, runGolive, startNginx, ROOT } from './lib.js';
import path from 'node:path';

export async function throughputBench({ seconds, reps }) {
  const nginx = await startNginx(18_181);
  const results = { golive: [], autocannon: [], wrk: [] };
  try {
    for (let rep = 0; rep < reps; rep++) {
      if (has('wrk')) {
        const [cmd, args] = pinned(GEN_CPU, 'wrk', ['-t1', '-c50', `-d${seconds}s`, nginx.url]);
        const out = await run(cmd, args);
        results.wrk.push(Number(/Requests\/sec:\s+([\d.]+)/.exec(out)[1]));
      }
      {
        const ac = path.join(ROOT, 'node_modules', 'autocannon', 'autocannon.js');
        const [cmd, args] = pinned(GEN_CPU, process.execPath, [ac, '-c', '50', '-d', String(seconds), '--json', nginx.url]);
        const out = await run(cmd, args);
        const json = JSON.parse(out.slice(out.indexOf('{')));
        results.autocannon.push(json.requests.total / (json.duration ?? seconds));
      }
      {
        const d = await runGolive(['load', nginx.url, '--vus', '50', '--threads', '1', '-d', `${seconds}s`]);
        results.golive.push(d.requests.total / (d.load.durationMs / 1000));
      }
    }
  } finally {
    nginx.stop();
  }
  const m = Object.fromEntries(
    Object.entries(results)
      .filter(([, v]) => v.length)
      .map(([k, v]) => [k, median(v)]),
  );
  return { runs: results, median: m };
}

/** Open model at 90 % of golive's closed-loop maximum: achieved rate and dropped starts. */
export async function openModelBench({ seconds, rate }) {
  const nginx = await startNginx(18_182);
  try {
    const d = await runGolive(['load', nginx.url, '--rate', String(Math.round(rate)), '--connections', '50', '--threads', '1', '-d', `${seconds}s`]);
    return {
      targetRps: Math.round(rate),
      // From when each start was really sent (generator.rate), not completed requests ÷ the planned length.
      achievedRps: d.generator.rate?.achievedRps ?? d.requests.total / (d.load.durationMs / 1000),
      dropped: d.requests.dropped,
      failed: d.requests.failed,
      lagP99Ms: d.generator.lagP99Ms,
      p99Ms: d.latencyMs.p99,
    };
  } finally {
    nginx.stop();
  }
}

export { machineLoad };
