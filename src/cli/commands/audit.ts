/** `golive audit`: readiness findings from manifests, a live namespace, or the local platform's config. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { audit } from '../../api/audit.js';
import { exitCodeOf, type ExitCode } from '../../api/exit-codes.js';
import { GoliveError } from '../../errors.js';
import { demoConfig } from '../demo.js';
import type { CliIo } from '../io.js';

export interface AuditFlags {
  config?: string;
  cluster?: boolean;
  namespace?: string;
  context?: string;
  format: string;
  out?: string;
  failOn: string;
  demo?: boolean;
  demoNaive?: boolean;
}

const FORMATS = ['terminal', 'json', 'sarif'] as const;
const FAIL_ON = ['error', 'warning', 'info', 'none'] as const;
const isOneOf = <T extends string>(list: readonly T[], v: string): v is T => (list as readonly string[]).includes(v);

export async function auditCommand(io: CliIo, paths: string[], o: AuditFlags): Promise<ExitCode> {
  const { format, failOn } = o;
  if (!isOneOf(FORMATS, format)) throw new GoliveError('GOLIVE_USAGE', `--format: expected terminal, json or sarif, received ${JSON.stringify(format)}`);
  if (!isOneOf(FAIL_ON, failOn)) throw new GoliveError('GOLIVE_USAGE', `--fail-on: expected error, warning, info or none, received ${JSON.stringify(failOn)}`);
  const outcome = await audit({
    cwd: io.cwd,
    paths: paths.filter((p) => p !== '-'),
    ...(paths.includes('-') ? { manifests: await readAll(io.stdin) } : {}),
    ...(o.demo || o.demoNaive ? { config: demoConfig(io.cwd, Boolean(o.demoNaive)) } : {}),
    ...(o.config !== undefined ? { configFile: o.config } : {}),
    ...(o.cluster !== undefined ? { cluster: o.cluster } : {}),
    ...(o.namespace !== undefined ? { namespace: o.namespace } : {}),
    ...(o.context !== undefined ? { context: o.context } : {}),
    format,
    failOn,
  });
  if (o.out) writeFileSync(path.resolve(io.cwd, o.out), outcome.text);
  else io.stdout.write(outcome.text);
  return exitCodeOf(outcome);
}

function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    stream.setEncoding('utf8');
    stream.on('data', (d: string) => {
      text += d;
    });
    stream.on('end', () => resolve(text));
    stream.on('error', reject);
  });
}
