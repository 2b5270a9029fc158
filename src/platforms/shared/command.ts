/** Runs a program (git, mostly) and captures its output, bounded: a chatty command cannot fill memory. */
import { spawn } from 'node:child_process';
import { GoliveError } from '../../errors.js';

const KEEP_BYTES = 64 * 1024;

/** Resolves with stdout; rejects with the command, its exit and the tail of its stderr. */
export function captureCommand(cmd: string, args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out = (out + d.toString()).slice(-KEEP_BYTES);
    });
    child.stderr.on('data', (d: Buffer) => {
      err = (err + d.toString()).slice(-KEEP_BYTES);
    });
    child.on('error', (e) => reject(new GoliveError('GOLIVE_PLATFORM_FAILED', `${cmd} could not start: ${e.message}`)));
    child.on('close', (code, signal) => {
      if (code === 0) resolve(out);
      else reject(new GoliveError('GOLIVE_PLATFORM_FAILED', `${cmd} ${args.join(' ')} failed (${signal ?? `exit code ${code}`}): ${err.trim()}`));
    });
  });
}
