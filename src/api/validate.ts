/** `validate()`: a config checked, and every drill built, without running anything. */
import { ignoredConfigNote } from '../config/load-config.js';
import type { Settings } from '../config/precedence.js';
import type { GoliveConfigInput, ResolvedConfig } from '../config/schema.js';
import { planDrills } from '../run/plan.js';

export interface ValidateOptions {
  /** Where the config is looked for. @default process.cwd() */
  cwd?: string;
  /** Config file path; default: golive.config.* in cwd. */
  configFile?: string;
  /** A config object instead of a file. */
  config?: GoliveConfigInput;
  /** Settings over the file's (`resolveSettings`: command line > GOLIVE_* > file). */
  settings?: Settings;
}

export interface ValidateOutcome {
  /** The config after defaults and settings. */
  config: ResolvedConfig;
  /** The config file read (absolute), or undefined for a config object. */
  file: string | undefined;
  /** The drills a run would run, in order. */
  drills: string[];
  /** Set when other config files beside the one read were ignored: what to tell the user. */
  note: string | undefined;
}

/** Throws an InputError listing every problem when the config is not valid. */
export async function validate(options: ValidateOptions = {}): Promise<ValidateOutcome> {
  const { loaded, drills } = await planDrills(
    { cwd: options.cwd ?? process.cwd(), configFile: options.configFile, config: options.config, settings: options.settings },
    [],
    true, // every drill is built, destructive ones too: consent is asked when one runs
  );
  return { config: loaded.config, file: loaded.file, drills: drills.map((d) => d.name), note: ignoredConfigNote(loaded) };
}
