/**
 * Where settings come from, in one place: command line > `GOLIVE_*` variables > config file > defaults.
 * Both upper layers become dotted-path overrides applied over the file before validation, so every source
 * gets the same checks, and each remembers its origin so an error names the flag or the variable.
 */
import type { ConfigOverrides } from './load-config.js';

/** `GOLIVE_*` variable → the setting it overrides. */
const ENV_SETTINGS: Readonly<Record<string, string>> = {
  GOLIVE_URL: 'target.url',
  GOLIVE_RATE: 'load.rate',
  GOLIVE_VUS: 'load.vus',
  GOLIVE_DURATION: 'load.duration',
  GOLIVE_CONNECTIONS: 'load.connections',
  GOLIVE_THREADS: 'load.threads',
  GOLIVE_OUT: 'output.dir',
};

/** A setting given on the command line: its value and the flag, as the user typed it. */
export interface CliSetting {
  value: unknown;
  flag: string;
}

export interface Settings {
  overrides: ConfigOverrides;
  /** Dotted path → where it came from (`--rate`, `GOLIVE_RATE`). */
  origins: Record<string, string>;
}

/** The command line over the environment; settings absent from both stay with the file and the defaults. */
export function resolveSettings(env: NodeJS.ProcessEnv, cli: Readonly<Record<string, CliSetting | undefined>> = {}): Settings {
  const out: Settings = { overrides: {}, origins: {} };
  for (const [name, at] of Object.entries(ENV_SETTINGS)) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    out.overrides[at] = /^\d+(\.\d+)?$/.test(value) && !at.endsWith('duration') ? Number(value) : value;
    out.origins[at] = name;
  }
  for (const [at, setting] of Object.entries(cli)) {
    if (setting === undefined || setting.value === undefined) continue;
    out.overrides[at] = setting.value;
    out.origins[at] = setting.flag;
  }
  return out;
}
