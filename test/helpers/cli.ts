/** Spawns the built CLI (bin/golive.js) as a user would, in a folder of the test's own. */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const BIN = path.resolve(import.meta.dirname, '../../../bin/golive.js');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export { tempDir } from './temp-dir.js';

export function golive(
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; onSpawn?: (child: ReturnType<typeof spawn>) => void },
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd,
      env: { ...process.env, NO_COLOR: '1', CI: 'true', ...options.env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    options.onSpawn?.(child);
  });
}

/** The newest run folder under `cwd`/golive-results, or '' before the first one exists. */
export function latestRunDir(cwd: string): string {
  const root = path.join(cwd, 'golive-results');
  const dirs = existsSync(root) ? readdirSync(root).sort() : [];
  return dirs.length ? path.join(root, dirs[dirs.length - 1]!) : '';
}

/** Seconds of load a run has written to its timeline so far (for `drill`, or any drill). */
export function timelineSeconds(runDir: string, drill?: string): number {
  const file = path.join(runDir, 'timeline.ndjson');
  if (!runDir || !existsSync(file)) return 0;
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l && (!drill || l.includes(`"drill":${JSON.stringify(drill)}`))).length;
}
