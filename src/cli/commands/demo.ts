/** `golive demo [drills…] [--naive]`: the six drills against the bundled demo app on the local platform. */
import { commandLineSettings, resolveSettings } from '../../config/precedence.js';
import { run } from '../../run/run.js';
import { createDemoWorkspace, demoConfig } from '../demo.js';
import { execute } from '../execute.js';
import type { ExitCode } from '../../api/exit-codes.js';
import { warnTo, type CliIo } from '../io.js';

export async function demoCommand(io: CliIo, drills: string[], o: { naive?: boolean; out?: string }): Promise<ExitCode> {
  const workspace = createDemoWorkspace();
  try {
    const config = demoConfig(workspace.dir, Boolean(o.naive));
    // The demo runs its own config: GOLIVE_* variables do not apply.
    const settings = resolveSettings({}, commandLineSettings('demo', { ...o }));
    return await execute(io, (signal) =>
      run({
        cwd: io.cwd,
        config,
        drills,
        settings,
        signal,
        terminal: { output: io.stdout, input: io.stdin },
        onWarning: warnTo(io),
        ownTempDirs: [workspace.dir],
      }),
    );
  } finally {
    workspace.remove();
  }
}
