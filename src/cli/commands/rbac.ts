/** `golive rbac`: the Role and ClusterRole the configured drills need, from what each drill declares it needs. */
import { loadConfig } from '../../config/load-config.js';
import { buildDrills } from '../../run/plan.js';
import { GoliveError } from '../../errors.js';
import { rbacFor } from '../../platforms/registry.js';
import { EXIT, type ExitCode } from '../../api/exit-codes.js';
import type { CliIo } from '../io.js';

export async function rbacCommand(io: CliIo, o: { config?: string }): Promise<ExitCode> {
  const loaded = await loadConfig({ cwd: io.cwd, ...(o.config ? { file: o.config } : {}) });
  const yaml = await rbacFor(
    loaded.config,
    buildDrills({ loaded, allowDestroy: true }).map((d) => d.needs),
  );
  if (yaml === undefined) throw new GoliveError('GOLIVE_USAGE', "golive rbac is for platform: { kind: 'kubernetes' } configs");
  io.stdout.write(yaml);
  return EXIT.passed;
}
