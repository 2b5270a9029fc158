/** `golive load <url>`: a plain load test, no config. Flags are the command line's layer of the settings. */
import { commandLineSettings, resolveSettings } from '../../config/precedence.js';
import type { GoliveConfigInput } from '../../config/schema.js';
import { GoliveError } from '../../errors.js';
import { loadTest } from '../../run/run.js';
import { execute } from '../execute.js';
import type { ExitCode } from '../../api/exit-codes.js';
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
  const closed = o.vus !== undefined || (o.rate === undefined && io.env['GOLIVE_VUS'] !== undefined && io.env['GOLIVE_RATE'] === undefined);
  // One request to the URL's path; the flags and GOLIVE_* go over it in one place, the schema's defaults under it.
  const config = {
    name: 'load',
    target: { url: base },
    load: {
      executor: closed ? 'constant-vus' : 'constant-arrival-rate',
      ...(closed ? { vus: 1 } : {}),
      requests: [{ url: target.pathname + target.search }],
    },
  } satisfies GoliveConfigInput;
  const settings = resolveSettings(io.env, {
    'target.url': { value: base, flag: 'the URL argument' },
    ...commandLineSettings('load', { ...o }),
  });
  return execute(io, (signal) => loadTest({ cwd: io.cwd, config, signal, settings, terminal: { output: io.stdout, input: io.stdin }, onWarning: warnTo(io) }));
}
