// The local platform's Service (kube-proxy-like, TCP connections pinned, in its own thread) and ingress
// (HTTP, per request), against hitting the replica directly. Method: one nginx replica on the target
// core; golive on the generator core; closed-loop maximum (50 VUs) direct, through the Service and through
// the ingress, interleaved, R repetitions, medians; then the open model at 50 % of the direct maximum,
// for the latency each adds.
import { IngressProxy } from '../dist/platforms/local/ingress-proxy.js';
import { ServiceProxy } from '../dist/platforms/local/service-proxy.js';
import { GEN_CPU, median, runGolive, startNginx } from './lib.js';

export async function proxyBench({ seconds, reps }) {
  const nginx = await startNginx(18_191);
  const upstreamPort = Number(new URL(nginx.url).port);
  const service = new ServiceProxy();
  const ingress = new IngressProxy(1);
  const ports = { direct: upstreamPort, service: await service.listen(0), ingress: await ingress.listen(0) };
  service.setUpstreams([{ id: 'nginx', port: upstreamPort }]);
  ingress.setUpstreams([{ id: 'nginx', port: upstreamPort }]);
  await new Promise((r) => setTimeout(r, 300));
  const rows = Object.fromEntries(Object.keys(ports).map((k) => [k, { max: [], p50: [], p99: [] }]));
  try {
    for (let i = 0; i < reps; i++) {
      for (const [name, port] of Object.entries(ports)) {
        const closed = await runGolive(['load', `http://127.0.0.1:${port}/`, '--vus', '50', '-d', `${seconds}s`, '--threads', '1'], GEN_CPU);
        rows[name].max.push(closed.requests.total / (closed.load.durationMs / 1000));
      }
    }
    const rate = Math.round(median(rows.direct.max) / 2);
    for (let i = 0; i < reps; i++) {
      for (const [name, port] of Object.entries(ports)) {
        const open = await runGolive(
          ['load', `http://127.0.0.1:${port}/`, '--rate', String(rate), '--connections', '50', '-d', `${seconds}s`, '--threads', '1'],
          GEN_CPU,
        );
        rows[name].p50.push(open.latencyMs.p50);
        rows[name].p99.push(open.latencyMs.p99);
      }
    }
    const m = (name) => ({ maxRps: median(rows[name].max), p50: median(rows[name].p50), p99: median(rows[name].p99) });
    return { rate, direct: m('direct'), service: m('service'), ingress: m('ingress') };
  } finally {
    nginx.stop();
    await service.close();
    await ingress.close();
  }
}
