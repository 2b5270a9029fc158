/** `golive init`: a commented starter config here. */
import { existsSync, realpathSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { GoliveError } from '../../errors.js';
import { PACKAGE_ROOT } from '../../package-root.js';
import { EXIT, type ExitCode } from '../../api/exit-codes.js';
import type { CliIo } from '../io.js';
import { STARTER_CONFIG } from '../starter-config.js';

export function initCommand(io: CliIo, o: { force?: boolean }): ExitCode {
  const file = path.join(io.cwd, 'golive.config.ts');
  if (existsSync(file) && !o.force) throw new GoliveError('GOLIVE_USAGE', `${file} exists; use --force to overwrite it`);
  writeFileSync(file, STARTER_CONFIG);
  const golive = invocationFrom(io.cwd, io.env);
  io.stdout.write(`wrote ${file}\nnext: edit target.url, then run \`${golive} validate\` and \`${golive} run\`\n`);
  return EXIT.passed;
}

/**
 * How to run this golive from `cwd`: `npx golive` only finds it in this folder's (or a parent's)
 * node_modules or inside golive's own repository — elsewhere npx would fetch a golive from the registry.
 */
function invocationFrom(cwd: string, env: NodeJS.ProcessEnv): string {
  const inside = (dir: string, root: string): boolean => {
    const rel = path.relative(root, dir);
    return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
  };
  if (inside(cwd, PACKAGE_ROOT)) return 'npx golive';
  for (let dir = cwd; ; dir = path.dirname(dir)) {
    if (safeRealpath(path.join(dir, 'node_modules', 'golive')) === safeRealpath(PACKAGE_ROOT)) return 'npx golive';
    if (path.dirname(dir) === dir) break;
  }
  const bin = path.join(PACKAGE_ROOT, 'bin', 'golive.js');
  for (const dir of (env['PATH'] ?? '').split(path.delimiter).filter(Boolean)) {
    if (safeRealpath(path.join(dir, 'golive')) === safeRealpath(bin)) return 'golive';
  }
  return `node ${bin}`;
}

function safeRealpath(p: string): string | undefined {
  try {
    return realpathSync(p);
  } catch {
    return undefined;
  }
}
