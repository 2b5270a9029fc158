// The local platform's Service (kube-proxy-like, TCP connections pinned, in its own thread) and ingress
// (HTTP, per request), against hitting the replica directly. Method: one nginx replica on the target
// core; golive on the generator core; closed-loop maximum (50 VUs) direct, through the Service and through
// the ingress, and across two Services in a row (a request from a front component to an api component: the
// front Service's upstream is the api Service), interleaved, R repetitions, medians; then the open model at
// 50 % of the direct maximum (the criterion) and at 50 % of the Service's own maximum, for the
// latency each hop adds.
import { IngressProxy } from '../dist/platforms/local/ingress-proxy.js';
import { ServiceProxy } from '../dist/platforms/local/service-proxy.js';
import { GEN_CPU, median, runGolive, startNginx } from './lib.js';

export async function proxyBench({ seconds, reps }) {
  const nginx = await startNginx(18_191);
  const upstreamPort = Number(new URL(nginx.url).port);
  const service = new ServiceProxy();
  const ingress = new IngressProxy(1);
  const front = new ServiceProxy();
  const api = new ServiceProxy();
  const ports = { direct: upstreamPort, service: await service.listen(0), ingress: await ingress.listen(0), twoServices: await front.listen(0) };
  const apiPort = await api.listen(0);
  await service.setUpstreams([{ id: 'nginx', port: upstreamPort }]);
  await ingress.setUpstreams([{ id: 'nginx', port: upstreamPort }]);
  await api.setUpstreams([{ id: 'nginx', port: upstreamPort }]);
  await front.setUpstreams([{ id: 'api', port: apiPort }]);
  const rows = Object.fromEntries(Object.keys(ports).map((k) => [k, { max: [], p50: [], p99: [] }]));
  try {
    for (let i = 0; i < reps; i++) {
      for (const [name, port] of Object.entries(ports)) {
        const closed = await runGolive(['load', `http://127.0.0.1:${port}/`, '--vus', '50', '-d', `${seconds}s`, '--threads', '1'], GEN_CPU);
        rows[name].max.push(closed.requests.total / (closed.load.durationMs / 1000));
      }
    }
    const rates = [Math.round(median(rows.direct.max) / 2), Math.round(median(rows.service.max) / 2)];
    const latency = {};
    for (const rate of rates) {
      const at = Object.fromEntries(Object.keys(ports).map((k) => [k, { p50: [], p99: [] }]));
      for (let i = 0; i < reps; i++) {
        for (const [name, port] of Object.entries(ports)) {
          const open = await runGolive(
            ['load', `http://127.0.0.1:${port}/`, '--rate', String(rate), '--connections', '50', '-d', `${seconds}s`, '--threads', '1'],
            GEN_CPU,
          );
          at[name].p50.push(open.latencyMs.p50);
          at[name].p99.push(open.latencyMs.p99);
        }
      }
      latency[rate] = Object.fromEntries(Object.entries(at).map(([k, v]) => [k, { p50: median(v.p50), p99: median(v.p99) }]));
    }
    return { rates, maxRps: Object.fromEntries(Object.entries(rows).map(([k, v]) => [k, median(v.max)])), latency };
  } finally {
    nginx.stop();
    await service.close();
    await ingress.close();
    await front.close();
    await api.close();
  }
}
