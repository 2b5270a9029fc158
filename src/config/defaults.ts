/**
 * The defaults the schema applies that the command line also shows (`--help`, README's settings table), each
 * written once and as a user would write it. A leaf: `golive --help` reads it without loading the schema.
 */

/** Requests per second of `constant-arrival-rate` when the config names no rate. */
export const DEFAULT_RATE = 50;

export const LOAD_DEFAULTS = {
  duration: '30s',
  connections: 50,
  timeout: '10s',
  method: 'GET',
} as const;

export const OUTPUT_DEFAULTS = {
  dir: 'golive-results',
} as const;
