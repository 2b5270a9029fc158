/**
 * `golive/config`: what a config file imports. Types only, so loading a config loads nothing of golive
 * beyond this file (no schema, no run, no platform).
 */
import type { GoliveConfigInput } from './schema.js';

export type { GoliveConfigInput } from './schema.js';

/** Identity function that gives a config file its types. */
export function defineConfig(config: GoliveConfigInput): GoliveConfigInput {
  return config;
}
