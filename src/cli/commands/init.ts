/** `golive init`: a commented starter config here. */
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { GoliveError } from '../../errors.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { STARTER_CONFIG } from '../starter-config.js';

export function initCommand(io: CliIo, o: { force?: boolean }): ExitCode {
  const file = path.join(io.cwd, 'golive.config.ts');
  if (existsSync(file) && !o.force) throw new GoliveError('GOLIVE_USAGE', `${file} exists; use --force to overwrite it`);
  writeFileSync(file, STARTER_CONFIG);
  io.stdout.write(`wrote ${file}\nnext: edit target.url, then run \`npx golive validate\` and \`npx golive run\`\n`);
  return EXIT.passed;
}
