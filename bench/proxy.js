// The local platform's front proxy: its overhead against hitting the replica directly, same load.
// Method: one demo-app replica; golive's open model at a fixed rate, alternating direct and through the
// proxy, 3 repetitions each; medians of p50/p99 latency and of CPU-bound closed-loop throughput.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { FrontProxy } from '../dist/platforms/local/front-proxy.js';
import { median, ROOT, runGolive, GEN_CPU } from './lib.js';

export async function proxyBench({ seconds, reps, rate }) {
  const appPort = 18_190;
  const app = spawn(process.execPath, [path.join(ROOT, 'examples', 'demo-app', 'server.js')], {
    env: { ...process.env, PORT: String(appPort), GOLIVE_DATA_DIR: '/tmp/golive-bench-proxy-data' },
    stdio: 'ignore',
  });
  const proxy = new FrontProxy();
  const proxyPort = await proxy.listen(0);
  proxy.setUpstreams([{ id: 'app', port: appPort }]);
  await new Promise((r) => setTimeout(r, 500));
  const rows = { direct: { p50: [], p99: [], max: [] }, proxy: { p50: [], p99: [], max: [] } };
  try {
    for (let i = 0; i < reps; i++) {
      for (const [name, port] of [
        ['direct', appPort],
        ['proxy', proxyPort],
      ]) {
        const open = await runGolive(['load', `http://127.0.0.1:${port}/`, '--rate', String(rate), '-d', `${seconds}s`, '--threads', '1'], GEN_CPU);
        rows[name].p50.push(open.latencyMs.p50);
        rows[name].p99.push(open.latencyMs.p99);
        const closed = await runGolive(['load', `http://127.0.0.1:${port}/`, '--vus', '20', '-d', `${seconds}s`, '--threads', '1'], GEN_CPU);
        rows[name].max.push(closed.requests.total / (closed.load.durationMs / 1000));
      }
    }
  } finally {
    app.kill();
    await proxy.close();
  }
  const m = (name) => ({ p50: median(rows[name].p50), p99: median(rows[name].p99), maxRps: median(rows[name].max) });
  return { direct: m('direct'), proxy: m('proxy'), rate };
}
