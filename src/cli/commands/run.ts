/** `golive run [drills…]`: the config's drills, with the command line over GOLIVE_* over the file. */
import { commandLineSettings, resolveSettings } from '../../config/precedence.js';
import { run } from '../../run/run.js';
import { execute } from '../execute.js';
import type { ExitCode } from '../../api/exit-codes.js';
import { warnTo, type CliIo } from '../io.js';

export interface RunFlags {
  config?: string;
  rate?: string;
  duration?: string;
  threads?: string;
  workers?: string;
  out?: string;
  allowDestroy?: boolean;
  yes?: boolean;
  context?: string;
  dryRun?: boolean;
}

export async function runCommand(io: CliIo, drills: string[], o: RunFlags): Promise<ExitCode> {
  const settings = resolveSettings(io.env, commandLineSettings('run', { ...o }));
  return execute(io, (signal) =>
    run({
      cwd: io.cwd,
      drills,
      settings,
      signal,
      terminal: { output: io.stdout, input: io.stdin },
      allowDestroy: Boolean(o.allowDestroy),
      assumeYes: Boolean(o.yes),
      onWarning: warnTo(io),
      dryRun: Boolean(o.dryRun),
      ...(o.context !== undefined ? { context: o.context } : {}),
      ...(o.dryRun ? { onMutation: (d: string) => io.stdout.write(`  would: ${d}\n`) } : {}),
      ...(o.config !== undefined ? { configFile: o.config } : {}),
    }),
  );
}
