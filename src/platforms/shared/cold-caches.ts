/**
 * Empty package caches for a deploy from scratch: every cache a build tool looks for points into a fresh
 * folder golive made for the run (journalled, removed at its end), so a warm cache cannot hide a missing
 * lockfile or an unpinned dependency.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Journal, JournalEntry } from '../../safety/journal.js';
import { makeOwnedTempDir } from '../../safety/owned-temp-dir.js';

export interface ColdCaches {
  dir: string;
  entry: JournalEntry;
  env: Record<string, string>;
}

export function makeColdCaches(journal: Journal): ColdCaches {
  const dir = makeOwnedTempDir('caches', journal.runId);
  const entry = journal.record(`made empty package caches in ${dir}`, `rm -rf ${dir}`, { kind: 'temp-dir', path: dir });
  const home = path.join(dir, 'home');
  mkdirSync(home);
  const at = (name: string): string => path.join(dir, name);
  return {
    dir,
    entry,
    env: {
      HOME: home,
      XDG_CACHE_HOME: at('xdg-cache'),
      npm_config_cache: at('npm'),
      YARN_CACHE_FOLDER: at('yarn'),
      // pnpm's store: pnpm 9 and 12 keep it under PNPM_HOME, 12 also reads pnpm_config_store_dir (checked).
      // Not npm_config_store_dir: npm 11 warns about it ("Unknown env config") and pnpm 12 ignores it.
      PNPM_HOME: at('pnpm-home'),
      pnpm_config_store_dir: at('pnpm-store'),
      XDG_DATA_HOME: at('xdg-data'),
      PIP_CACHE_DIR: at('pip'),
      GOCACHE: at('go-build'),
      GOMODCACHE: at('go-mod'),
      CARGO_HOME: at('cargo'),
      GRADLE_USER_HOME: at('gradle'),
    },
  };
}
