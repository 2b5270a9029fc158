// `npm run bench`: golive against its peers on this machine, as ratios (absolute numbers mislead on noisy
// machines). Options: --seconds N (default 10), --reps N (default 3), --memory-minutes N (default 0: skip),
// --quick (3 s, 1 repetition), --only SECTION, --readme (write the results into README.md's benchmark
// section, between its bench:begin and bench:end markers: the table there is always this script's output).
import { parseArgs } from 'node:util';
import { machineLoad, openModelBench, throughputBench } from './throughput.js';
import { memoryBench } from './memory.js';
import { generatorCpuBench } from './generator-cpu.js';
import { proxyBench } from './proxy.js';
import { reportOpenBench } from './report-open.js';
import { scaleOutBench } from './scale-out.js';
import { startupBench } from './startup.js';
import { journeysBench } from './journeys.js';
import { http2Bench } from './http2.js';
import { openLatencyBench } from './open-latency.js';
import { harImportBench } from './har-import.js';
import { availableParallelism } from 'node:os';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './lib.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    reps: { type: 'string', default: '3' },
    'memory-minutes': { type: 'string', default: '0' },
    quick: { type: 'boolean', default: false },
    only: { type: 'string', default: 'all' },
    readme: { type: 'boolean', default: false },
  },
});
const seconds = values.quick ? 3 : Number(values.seconds);
const reps = values.quick ? 1 : Number(values.reps);
const fmt = (n) => Math.round(n).toLocaleString('en-US');
const printed = [];
/** Prints a line and keeps it for --readme. */
function log(line = '') {
  console.log(line);
  printed.push(...String(line).split('\n'));
}

log(
  `**golive benchmarks, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${availableParallelism()} cores** (load average before: ${machineLoad()})`,
);
log(`method: nginx return 200 on core 1, generator on core 0, 50 keep-alive connections, ${seconds} s, ${reps} interleaved repetitions, median\n`);

if (values.only === 'all' || values.only === 'startup') startupSection();
let closedMax;
if (values.only === 'all' || values.only === 'throughput') closedMax = await throughputSection();
if (values.only === 'all' || values.only === 'open-latency') await openLatencySection(closedMax);
if (values.only === 'all' || values.only === 'http2') await http2Section();
if (values.only === 'all' || values.only === 'journeys') await journeysSection();
if (values.only === 'all' || values.only === 'generator-cpu') await generatorCpuSection();
if (values.only === 'all' || values.only === 'proxy') await proxySection();
if (values.only === 'all' || values.only === 'report') await reportSection();
if (values.only === 'all' || values.only === 'scale-out') await scaleOutSection();
if (values.only === 'all' || values.only === 'har-import') harImportSection();
if (values.only === 'all' || values.only === 'memory') await memorySection();
log(`\nload average after: ${machineLoad()}`);

function startupSection() {
  const s = startupBench({ runs: values.quick ? 5 : 15 });
  const base = s['node -e 0'].ms;
  log('| command | wall time (median) | vs node -e 0 | peak RSS |');
  log('|---|---|---|---|');
  for (const [name, v] of Object.entries(s)) log(`| ${name} | ${v.ms.toFixed(0)} ms | ${(v.ms / base).toFixed(2)}× | ${v.rssMb.toFixed(0)} MB |`);
  log('');
}

async function journeysSection() {
  const j = await journeysBench({ seconds, reps });
  log('| load (1 core, 50 VUs, closed) | req/s (median) | runs | vs flat mix |');
  log('|---|---|---|---|');
  log(`| flat mix of 5 URLs | ${fmt(j.median.flat)} | ${j.runs.flat.map(fmt).join(' / ')} | 1.00× |`);
  log(
    `| the same mix, a JSON check on every request | ${fmt(j.median.checked)} | ${j.runs.checked.map(fmt).join(' / ')} | ${(j.median.checked / j.median.flat).toFixed(2)}× |`,
  );
  log(
    `| 5-step journey, a JSON extraction per step, the token sent on | ${fmt(j.median.journeys)} | ${j.runs.journeys.map(fmt).join(' / ')} | ${(j.median.journeys / j.median.flat).toFixed(2)}× |`,
  );
  log('');
}

async function throughputSection() {
  const t = await throughputBench({ seconds, reps });
  log('| generator (1 core) | req/s (median) | runs | vs autocannon |');
  log('|---|---|---|---|');
  for (const [name, value] of Object.entries(t.median)) {
    log(`| ${name} | ${fmt(value)} | ${t.runs[name].map(fmt).join(' / ')} | ${(value / t.median.autocannon).toFixed(2)}× |`);
  }

  const ratio = (name) => (t.median[name] ? `${(t.median.golive / t.median[name]).toFixed(2)}×` : 'n/a');
  log(`\ngolive vs wrk: ${ratio('wrk')} (wrk: C, no per-request histogram); vs autocannon: ${ratio('autocannon')}.`);

  const open = await openModelBench({ seconds, rate: t.median.golive * 0.9 });
  const error = ((open.achievedRps - open.targetRps) / open.targetRps) * 100;
  log(
    `\nopen model at 90 % of golive's closed-loop maximum: target ${fmt(open.targetRps)} req/s, achieved ${fmt(open.achievedRps)} req/s (${error >= 0 ? '+' : ''}${error.toFixed(2)} %), dropped ${open.dropped}, failed ${open.failed}, start lag p99 ${open.lagP99Ms} ms, latency p99 ${open.p99Ms} ms`,
  );
  return t.median.golive;
}

async function openLatencySection(closedMax) {
  // Half of golive's closed-loop maximum (measured above in this run, or here when run alone).
  const max = closedMax ?? (await throughputBench({ seconds: Math.min(seconds, 5), reps: 1 })).median.golive;
  const rate = Math.round(max / 2 / 50) * 50;
  const r = await openLatencyBench({ seconds, rate, reps });
  if (!r) return log('\n(h2load not installed: open-model latency not compared)');
  log(`\n| open model at ${fmt(rate)} req/s (50 % of golive's closed-loop max), 1 core, 50 connections | p50 | p99 | p99.9 | runs (p99) |`);
  log('|---|---|---|---|---|');
  for (const name of ['golive', 'h2load']) {
    const m = r.median[name];
    log(`| ${name} | ${m.p50.toFixed(3)} ms | ${m.p99.toFixed(2)} ms | ${m.p999.toFixed(2)} ms | ${r.runs[name].map((x) => x.p99.toFixed(2)).join(' / ')} |`);
  }
  log(
    `\ngolive's p99 is ${(r.median.golive.p99 / r.median.h2load.p99).toFixed(1)}× h2load's (h2load measures from the actual send, golive from the intended start). From the actual send, as h2load measures, golive's p99 is ${r.goliveP99FromSend.toFixed(2)} ms (${(r.goliveP99FromSend / r.median.h2load.p99).toFixed(1)}× h2load's; runs ${r.runs.golive.map((x) => x.p99FromSend.toFixed(2)).join(' / ')}).`,
  );
  const worst = (name) =>
    r.runs[name]
      .at(-1)
      .worstBinPerSecond.map((v) => (v ?? 0).toFixed(1))
      .join(' ');
  log(`worst 10 ms bin per second, last run (ms): golive ${worst('golive')} | h2load ${worst('h2load')}`);
}

async function http2Section() {
  const rows = await http2Bench({ seconds, reps });
  if (!rows) return log('\n(h2load not installed: HTTP/2 not compared)');
  log('\n| HTTP/2 against nginx (h2c), 1 core | golive req/s | h2load req/s | golive vs h2load | runs (golive / h2load) |');
  log('|---|---|---|---|---|');
  for (const r of rows)
    log(
      `| ${r.sessions} sessions × ${r.streams} stream${r.streams > 1 ? 's' : ''} | ${fmt(r.golive)} | ${fmt(r.h2load)} | ${(r.golive / r.h2load).toFixed(2)}× | ${r.runs.golive.map(fmt).join(', ')} / ${r.runs.h2load.map(fmt).join(', ')} |`,
    );
  log('');
}

async function generatorCpuSection() {
  const rows = await generatorCpuBench({ seconds, reps });
  log(
    '\n| open model, 1 thread | CPU per request, whole process | steady state (15 s − 5 s run) | h2load --h1, same rate | start lag p99 | latency p50 / p99 |',
  );
  log('|---|---|---|---|---|---|');
  for (const [rate, r] of Object.entries(rows)) {
    log(
      `| ${fmt(Number(rate))} req/s | ${r.cpuUsPerRequest.toFixed(0)} µs | ${r.steadyUsPerRequest.toFixed(0)} µs | ${r.h2loadUsPerRequest === null ? 'n/a' : `${r.h2loadUsPerRequest.toFixed(0)} µs`} | ${r.lagP99Ms.toFixed(2)} ms | ${r.p50.toFixed(3)} / ${r.p99.toFixed(2)} ms |`,
    );
  }
}

async function proxySection() {
  const p = await proxyBench({ seconds: Math.min(seconds, 5), reps });
  const [half, serviceHalf] = p.rates;
  log(
    `\n| local platform, nginx replica | closed-loop max | vs direct | p50 / p99 at ${fmt(half)} req/s (50 % of direct max) | p50 / p99 at ${fmt(serviceHalf)} req/s (50 % of the Service's max) |`,
  );
  log('|---|---|---|---|---|');
  const added = (rate, name) => {
    const r = p.latency[rate][name];
    const d = p.latency[rate].direct;
    return `${r.p50.toFixed(3)} / ${r.p99.toFixed(3)} ms (+${(r.p50 - d.p50).toFixed(3)} / +${(r.p99 - d.p99).toFixed(3)})`;
  };
  for (const name of ['direct', 'service', 'ingress', 'twoServices']) {
    log(
      `| ${name === 'twoServices' ? 'two Services in a row (front → api)' : name} | ${fmt(p.maxRps[name])} req/s | ${(p.maxRps[name] / p.maxRps.direct).toFixed(2)}× | ${added(half, name)} | ${added(serviceHalf, name)} |`,
    );
  }
}

async function reportSection() {
  const r = await reportOpenBench();
  log(
    `\nHTML report of a one-hour run (6 drills × 3,600 s, 40 outage windows and 300 events each): ${r.sizeMb.toFixed(1)} MB, opens in ${r.medianMs} ms in headless Chromium (median of ${r.times.join(', ')} ms)`,
  );
}

async function scaleOutSection() {
  const rows = await scaleOutBench({ seconds });
  log('\n| worker processes | total req/s | coordinator CPU | coordinator CPU per worker |');
  log('|---|---|---|---|');
  for (const r of rows) log(`| ${r.workers} | ${fmt(r.rps)} | ${r.coordinatorCpuPct.toFixed(1)} % of a core | ${r.perWorkerMsPerS.toFixed(1)} ms per second |`);
}

function harImportSection() {
  const rows = harImportBench({ reps });
  log('\n| golive har import, generated recording | wall time (median, whole command) | runs | vs the previous size |');
  log('|---|---|---|---|');
  rows.forEach((r, i) => {
    const ratio = i === 0 ? '' : `${(r.ms / rows[i - 1].ms).toFixed(2)}× for ${(r.calls / rows[i - 1].calls).toFixed(1)}× the calls`;
    log(
      `| ${fmt(r.calls)} API calls, ${fmt(r.correlated)} values correlated | ${(r.ms / 1000).toFixed(2)} s | ${r.runs.map((ms) => (ms / 1000).toFixed(2)).join(' / ')} | ${ratio} |`,
    );
  });
}

async function memorySection() {
  const minutes = Number(values['memory-minutes']);
  if (minutes > 0) {
    const m = await memoryBench({ seconds: minutes * 60, rate: 5000 });
    log(
      `\nmemory: ${minutes} min at 5,000 req/s: RSS first ${m.firstMb} MB, last ${m.lastMb} MB, max ${m.maxMb} MB (samples every 10 s: ${m.samples.join(', ')})`,
    );
  }
}

if (values.readme) {
  const file = path.join(ROOT, 'README.md');
  const readme = readFileSync(file, 'utf8');
  const begin = readme.indexOf('<!-- bench:begin -->');
  const end = readme.indexOf('<!-- bench:end -->');
  if (begin < 0 || end < begin) throw new Error('README.md has no <!-- bench:begin --> … <!-- bench:end --> section');
  const body = ['<!-- bench:begin -->', ...printed, ''].join('\n');
  writeFileSync(file, readme.slice(0, begin) + body + readme.slice(end));
  console.log(`\nREADME.md's benchmark section rewritten (${printed.length} lines)`);
}
