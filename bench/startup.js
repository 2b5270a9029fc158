// Startup: `golive --help`, `golive --version` and `golive validate` against `node -e 0`, interleaved in the
// same run (wall time and peak RSS from /proc via a wait on the child), medians of N.
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { benchTempDir, GOLIVE, median } from './lib.js';

function once(args, cwd) {
  const start = process.hrtime.bigint();
  // /usr/bin/time is not everywhere: the child reports its own peak RSS on exit instead.
  const r = spawnSync(
    process.execPath,
    ['--import', 'data:text/javascript,process.on("exit",()=>process.stderr.write("rss:"+process.resourceUsage().maxRSS))', ...args],
    {
      cwd,
      encoding: 'utf8',
    },
  );
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const rss = Number(/rss:(\d+)/.exec(r.stderr)?.[1] ?? 0) / 1024;
  return { ms, rssMb: rss };
}

export function startupBench({ runs = 15 } = {}) {
  const cwd = benchTempDir('golive-bench-startup-');
  writeFileSync(
    path.join(cwd, 'golive.config.yaml'),
    "target: { url: 'http://127.0.0.1:1' }\nplatform: { kind: kubernetes, namespace: shop, workload: { name: shop } }\ndrills: { node-drain: {} }\n",
  );
  const cases = {
    'node -e 0': ['-e', '0'],
    'golive --help': [GOLIVE, '--help'],
    'golive --version': [GOLIVE, '--version'],
    'golive validate (kubernetes config)': [GOLIVE, 'validate'],
  };
  const samples = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  try {
    for (let i = 0; i < runs; i++) for (const [name, args] of Object.entries(cases)) samples[name].push(once(args, cwd));
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
  return Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, { ms: median(v.map((s) => s.ms)), rssMb: median(v.map((s) => s.rssMb)) }]));
}
