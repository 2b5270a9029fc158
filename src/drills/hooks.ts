/**
 * Hooks and manual steps: a user's shell command (output captured into the drill's events) or an
 * instruction for an operator, confirmed with Enter while the load keeps running.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { GoliveError, InterruptedError } from '../errors.js';
import type { EventKind, EventSink } from '../model/events.js';
import { inert } from '../model/format.js';
import type { HookRunner, PlannedHookRunner } from '../platforms/platform.js';
import type { Journal } from '../safety/journal.js';
import { OutputExcerpt } from './output-excerpt.js';

const DEFAULT_HOOK_TIMEOUT_MS = 10 * 60_000;

export interface HookOptions {
  /** Base environment for hooks: GOLIVE_DRILL, GOLIVE_NAMESPACE… */
  env: () => Record<string, string>;
  events: () => EventSink;
  /** Answer manual steps without asking (`--yes`). */
  assumeYes: boolean;
  /** How long an operator has to confirm a manual step. */
  manualTimeoutMs: number;
  /** Where hook processes are journalled (so `golive recover` finds them after a crash). */
  journal?: Journal | undefined;
  /** How long a hook may run before it is stopped. @default 10 minutes */
  timeoutMs?: number | undefined;
  /** The operator's terminal, when there is one: manual steps are asked there. */
  input?: (NodeJS.ReadableStream & { isTTY?: boolean }) | undefined;
  output?: NodeJS.WritableStream | undefined;
}

/**
 * What a dry run gets instead: a hook runner that says what it would run and cannot start a process
 * (the planned platforms and the dry run's drill runner take only this type).
 */
export function createPlannedHookRunner(options: { events: () => EventSink; describe: (description: string) => void }): PlannedHookRunner {
  const plan = (description: string): Promise<void> => {
    options.events()('hook.planned', `would ${description}`);
    options.describe(description);
    return Promise.resolve();
  };
  return {
    plans: true,
    run: (command, env, _signal, cwd, role = 'hook') => plan(`run \`${inert(command)}\` (${role}${cwd ? ` in ${cwd}` : ''}${describeEnv(env)})`),
    manual: (instruction) => plan(`ask the operator: ${inert(instruction)} (the load keeps running until they confirm)`),
  };
}

function describeEnv(env: Record<string, string>): string {
  const names = Object.keys(env).filter((k) => k.startsWith('GOLIVE_'));
  return names.length ? `, with ${names.map((k) => `${k}=${env[k]}`).join(' ')}` : '';
}

export function createHookRunner(options: HookOptions): HookRunner {
  return {
    run(command, env, signal, cwd, role = 'hook') {
      return new Promise((resolve, reject) => {
        const sink = options.events();
        // Journalled before it starts: a SIGKILLed golive leaves no hook running that recover cannot find.
        const entry = options.journal?.record(`started hook: ${command}`, 'kill its process group', { kind: 'process-group', pgid: 0, command });
        const child = spawn('sh', ['-c', command], {
          cwd: cwd ?? process.cwd(),
          env: { ...process.env, ...options.env(), ...env, ...(options.journal ? { GOLIVE_RUN_ID: options.journal.runId } : {}) },
          stdio: ['ignore', 'pipe', 'pipe'],
          detached: true,
        });
        if (entry && child.pid) options.journal?.update(entry, { kind: 'process-group', pgid: child.pid, command });
        const excerpt = new OutputExcerpt();
        const lines = (stream: NodeJS.ReadableStream, kind: EventKind): void => {
          createInterface({ input: stream }).on('line', (line) => {
            const shown = inert(line.slice(0, 500));
            excerpt.add(shown);
            sink(kind, shown);
          });
        };
        lines(child.stdout, 'hook.output');
        lines(child.stderr, 'hook.stderr');
        const killGroup = (sig: NodeJS.Signals): void => {
          try {
            if (child.pid) process.kill(-child.pid, sig);
          } catch {
            /* already gone */
          }
        };
        let timedOut = false;
        const timeoutMs = options.timeoutMs ?? DEFAULT_HOOK_TIMEOUT_MS;
        const timer = setTimeout(() => {
          timedOut = true;
          killGroup('SIGTERM');
          setTimeout(() => killGroup('SIGKILL'), 5000).unref();
        }, timeoutMs);
        const onAbort = (): void => killGroup('SIGTERM');
        signal.addEventListener('abort', onAbort, { once: true });
        child.on('error', (err) => reject(new GoliveError('GOLIVE_PLATFORM_FAILED', `hook could not start: ${err.message}`)));
        child.on('close', (code, sig) => {
          clearTimeout(timer);
          signal.removeEventListener('abort', onAbort);
          if (entry) options.journal?.markUndone(entry);
          const output = excerpt.describe();
          // The app's own build or deploy command failing is the app failing the drill, not golive.
          const failure = role === 'hook' ? 'GOLIVE_PLATFORM_FAILED' : 'GOLIVE_SETUP_FAILED';
          if (signal.aborted) reject(new InterruptedError(`running \`${command}\``));
          else if (timedOut)
            reject(
              new GoliveError(failure, `${role} \`${command}\` did not finish within ${Math.round(timeoutMs / 1000)} s (hookTimeout) and was stopped${output}`),
            );
          else if (code === 0) resolve();
          else reject(new GoliveError(failure, `${role} \`${command}\` failed (${sig ?? `exit code ${code}`})${output}`));
        });
      });
    },
    manual(instruction, signal) {
      const sink = options.events();
      sink('manual.waiting', instruction);
      if (options.assumeYes) {
        sink('manual.confirmed', 'answered by --yes');
        return Promise.resolve();
      }
      const { input, output } = options;
      if (!input?.isTTY || !output) {
        return Promise.reject(
          new GoliveError(
            'GOLIVE_USAGE',
            `a manual step needs an operator, but there is no terminal: "${instruction}". Run interactively, or pass --yes to confirm it automatically.`,
          ),
        );
      }
      return new Promise((resolve, reject) => {
        output.write(`\n  ⏸  ${instruction}\n     the load keeps running; press Enter when done (${Math.round(options.manualTimeoutMs / 1000)} s) `);
        const rl = createInterface({ input });
        const timer = setTimeout(() => {
          rl.close();
          reject(new GoliveError('GOLIVE_PLATFORM_FAILED', `manual step not confirmed within ${options.manualTimeoutMs} ms: ${instruction}`));
        }, options.manualTimeoutMs);
        signal.addEventListener(
          'abort',
          () => {
            clearTimeout(timer);
            rl.close();
            reject(new InterruptedError('waiting for an operator'));
          },
          { once: true },
        );
        rl.once('line', () => {
          clearTimeout(timer);
          rl.close();
          sink('manual.confirmed', 'confirmed by the operator');
          resolve();
        });
      });
    },
  };
}
