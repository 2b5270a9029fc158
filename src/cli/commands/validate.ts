/** `golive validate`: the config checked (and every drill built) without running anything. */
import path from 'node:path';
import { ignoredConfigNote } from '../../config/load-config.js';
import { resolveSettings } from '../../config/precedence.js';
import { planDrills } from '../../run/plan.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { CliIo } from '../io.js';

export async function validateCommand(io: CliIo, o: { config?: string }): Promise<ExitCode> {
  const { loaded, drills } = await planDrills({ cwd: io.cwd, configFile: o.config, settings: resolveSettings(io.env) }, [], true);
  const note = ignoredConfigNote(loaded);
  if (note) io.stderr.write(`golive: note: ${note}\n`);
  io.stdout.write(
    `✓ ${path.relative(io.cwd, loaded.file ?? '') || 'config'} is valid · target ${loaded.config.target?.url ?? 'the local platform'} · drills: ${drills.map((d) => d.name).join(', ')}\n`,
  );
  return EXIT.passed;
}
