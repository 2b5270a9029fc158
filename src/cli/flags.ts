/** Command-line values as settings: numbers where the schema wants numbers, each with the flag it came from. */
import type { CliSetting } from '../config/precedence.js';

/** A flag's value for a numeric setting: a non-number goes through as text, so the schema names it. */
export function num(v: string | undefined): number | string | undefined {
  if (v === undefined) return undefined;
  return /^\d+$/.test(v) ? Number(v) : v;
}

export function flag(value: unknown, name: string): CliSetting | undefined {
  return value === undefined ? undefined : { value, flag: name };
}
