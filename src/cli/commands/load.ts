/** `golive load <url>`: a plain load test, no config. Flags are the command line's layer of the settings. */
import { resolveSettings } from '../../config/precedence.js';
import type { GoliveConfigInput } from '../../config/schema.js';
import { GoliveError } from '../../errors.js';
import { loadTest } from '../../run/run.js';
import { execute } from '../execute.js';
import type { ExitCode } from '../exit-codes.js';
import { flag, num } from '../flags.js';
import { warnTo, type CliIo } from '../io.js';

export interface LoadFlags {
  rate?: string;
  vus?: string;
  duration?: string;
  connections?: string;
  timeout?: string;
  method?: string;
  header?: string[];
  body?: string;
  threshold?: string[];
  threads?: string;
  workers?: string;
  insecure?: boolean;
  http2?: boolean;
  out?: string;
}

export async function loadCommand(io: CliIo, url: string, o: LoadFlags): Promise<ExitCode> {
  if (o.rate !== undefined && o.vus !== undefined) throw new GoliveError('GOLIVE_USAGE', 'give either --rate (open model) or --vus (closed model), not both');
  if (!/^https?:\/\//.test(url) || !URL.canParse(url))
    throw new GoliveError('GOLIVE_USAGE', `expected an http:// or https:// URL, received ${JSON.stringify(url)}`);
  const target = new URL(url);
  // The origin, with its credentials when the URL has them (sent as Basic auth, never written down).
  const userinfo = target.username ? `${target.username}${target.password ? `:${target.password}` : ''}@` : '';
  const base = `${target.protocol}//${userinfo}${target.host}`;
  const headers: Record<string, string> = {};
  for (const h of o.header ?? []) {
    const i = h.indexOf(':');
    if (i <= 0) throw new GoliveError('GOLIVE_USAGE', `--header expects 'name: value', received ${JSON.stringify(h)}`);
    headers[h.slice(0, i).trim()] = h.slice(i + 1).trim();
  }
  const closed = o.vus !== undefined || (o.rate === undefined && io.env['GOLIVE_VUS'] !== undefined && io.env['GOLIVE_RATE'] === undefined);
  // The defaults layer: what a plain `golive load URL` does. Flags and GOLIVE_* go over it in one place.
  const config = {
    name: 'load',
    target: { url: base, insecure: Boolean(o.insecure), http2: Boolean(o.http2) },
    load: {
      executor: closed ? 'constant-vus' : 'constant-arrival-rate',
      ...(closed ? { vus: 1 } : { rate: 50 }),
      duration: '30s',
      timeout: o.timeout ?? '10s',
      ...(o.workers !== undefined ? { workers: { kind: 'processes', count: num(o.workers) } } : {}),
      requests: [{ method: o.method ?? 'GET', url: target.pathname + target.search, headers, ...(o.body !== undefined ? { body: o.body } : {}) }],
    },
    thresholds: o.threshold ?? [],
    output: { dir: 'golive-results' },
  } as GoliveConfigInput;
  const settings = resolveSettings(io.env, {
    'target.url': flag(base, 'the URL argument'),
    'load.rate': flag(o.rate, '--rate'),
    'load.vus': flag(num(o.vus), '--vus'),
    'load.duration': flag(o.duration, '--duration'),
    'load.connections': flag(num(o.connections), '--connections'),
    'load.threads': flag(num(o.threads), '--threads'),
    'output.dir': flag(o.out, '--out'),
  });
  return execute(io, (signal) => loadTest({ cwd: io.cwd, config, signal, settings, terminal: { output: io.stdout, input: io.stdin }, onWarning: warnTo(io) }));
}
