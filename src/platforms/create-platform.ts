/** Creates the platform the config names. */
import type { ResolvedConfig } from '../config/schema.js';
import type { Journal } from '../safety/journal.js';
import { LocalPlatform } from './local/local-platform.js';
import type { HookRunner, Platform } from './platform.js';

export interface PlatformEnvironment {
  baseDir: string;
  runDir: string;
  runId: string;
  journal: Journal;
  hooks: HookRunner;
}

export function createPlatform(config: ResolvedConfig, env: PlatformEnvironment): Platform | undefined {
  const p = config.platform;
  if (!p) return undefined;
  switch (p.kind) {
    case 'local':
      return new LocalPlatform({ config: p, ...env });
  }
}
