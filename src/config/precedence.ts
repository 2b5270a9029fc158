/**
 * Where settings come from, in one place: command line > `GOLIVE_*` variables > config file > defaults.
 * Both upper layers become dotted-path overrides applied over the file before validation, so every source
 * gets the same checks, and each remembers its origin so an error names the flag or the variable.
 * Which flag and variable set which key is the settings table's (settings.ts).
 */
import type { ConfigOverrides } from './load-config.js';
import { flagAttribute, longFlag, SETTINGS, type RawSetting, type SettingsCommand } from './settings.js';

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
  for (const s of SETTINGS) {
    const value = s.env === undefined ? undefined : env[s.env];
    if (s.env === undefined || value === undefined || value === '') continue;
    out.overrides[s.key] = s.parse(value);
    out.origins[s.key] = s.env;
  }
  for (const [at, setting] of Object.entries(cli)) {
    if (setting === undefined || setting.value === undefined) continue;
    out.overrides[at] = setting.value;
    out.origins[at] = setting.flag;
  }
  return out;
}

/**
 * A command's parsed flags (commander's options object) as command-line settings: each flag the table gives
 * `command`, parsed, under its config key and named by its long flag.
 */
export function commandLineSettings(command: SettingsCommand, flags: Readonly<Record<string, unknown>>): Record<string, CliSetting | undefined> {
  const out: Record<string, CliSetting | undefined> = {};
  for (const s of SETTINGS) {
    if (!s.flag?.commands.includes(command)) continue;
    const raw = flags[flagAttribute(s.flag.spec)];
    if (raw === undefined || raw === false) continue;
    out[s.key] = { value: s.parse(raw as RawSetting), flag: longFlag(s.flag.spec) };
  }
  return out;
}
