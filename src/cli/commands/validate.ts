/** `golive validate`: the config checked (and every drill built) without running anything. */
import path from 'node:path';
import { exitCodeOf, type ExitCode } from '../../api/exit-codes.js';
import { validate } from '../../api/validate.js';
import { resolveSettings } from '../../config/precedence.js';
import type { CliIo } from '../io.js';

export async function validateCommand(io: CliIo, o: { config?: string }): Promise<ExitCode> {
  const outcome = await validate({ cwd: io.cwd, ...(o.config !== undefined ? { configFile: o.config } : {}), settings: resolveSettings(io.env) });
  if (outcome.note) io.stderr.write(`golive: note: ${outcome.note}\n`);
  io.stdout.write(
    `✓ ${path.relative(io.cwd, outcome.file ?? '') || 'config'} is valid · target ${outcome.config.target?.url ?? 'the local platform'} · drills: ${outcome.drills.join(', ')}\n`,
  );
  return exitCodeOf(outcome);
}
