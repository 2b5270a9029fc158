import { inert } from '../model/format.js';

/** What a command may touch: its streams, its folder and its environment (given, so tests run commands in-process). */
export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  cwd: string;
  env: NodeJS.ProcessEnv;
}

export function warnTo(io: CliIo): (message: string) => void {
  // Warnings carry hook and server text: never let it drive the terminal.
  return (message) => io.stderr.write(`⚠ ${inert(message)}\n`);
}
