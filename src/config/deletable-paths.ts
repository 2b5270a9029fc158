/**
 * Folders golive deletes on the team's machine (the local platform's `dataDir`: destroy, restore and a
 * redeploy's reset empty it) are checked when the config is read: never `/` or a system folder, never a
 * folder that holds the config, the app, the results, the working folder or the home folder, and never a
 * symbolic link (golive would snapshot and delete the link, not the data behind it: a false pass).
 */
import { lstatSync, realpathSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';

/** Folders that are never a data folder, nor anything inside them. */
const SYSTEM_TREES = ['/bin', '/boot', '/dev', '/etc', '/lib', '/lib32', '/lib64', '/libx32', '/proc', '/sbin', '/sys', '/usr'];
/** Folders that are never a data folder themselves (a folder inside one may be). */
const SYSTEM_ROOTS = ['/', '/home', '/media', '/mnt', '/opt', '/root', '/run', '/srv', '/tmp', '/var'];

export interface DataDirContext {
  /** The folder the config's relative paths resolve against (the config file's). */
  baseDir: string;
  /** Every component's working folder, with how to name it. */
  appCwds: readonly (readonly [string, string])[];
  /** The results root (output.dir). */
  resultsDir: string;
  /** Where golive runs. */
  cwd: string;
}

/** Why golive must not delete `dataDir` (resolved); undefined when it may. */
export function whyNotDeletable(dataDir: string, ctx: DataDirContext): string | undefined {
  try {
    if (lstatSync(dataDir).isSymbolicLink())
      return `${dataDir} is a symbolic link: golive would snapshot and delete the link, not the data behind it; point dataDir at the folder itself (${realpathSync(dataDir)})`;
  } catch {
    // does not exist yet: golive makes it
  }
  const real = realOf(dataDir);
  for (const tree of SYSTEM_TREES) if (real === tree || real.startsWith(`${tree}/`)) return `${dataDir} is a system folder (under ${tree})`;
  if (SYSTEM_ROOTS.includes(real)) return `${dataDir} is a system folder`;
  const kept: [string, string][] = [
    [ctx.baseDir, "the config's folder"],
    ...ctx.appCwds.map(([dir, what]): [string, string] => [dir, what]),
    [ctx.resultsDir, 'the results folder (output.dir)'],
    [ctx.cwd, 'the folder golive runs in'],
    [homedir(), 'your home folder'],
    [tmpdir(), 'the temp folder'],
  ];
  for (const [folder, what] of kept) {
    const other = realOf(folder);
    if (other === real || other.startsWith(`${real}/`))
      return `${dataDir} ${other === real ? 'is' : 'holds'} ${what} (${folder}): golive empties dataDir in disaster-recovery and redeploy; give the app a folder of its own, e.g. ./data`;
  }
  return undefined;
}

/** The real path of `p`: its deepest existing ancestor resolved through links, with the rest appended. */
function realOf(p: string): string {
  const rest: string[] = [];
  let at = path.resolve(p);
  for (;;) {
    try {
      return path.join(realpathSync(at), ...rest.reverse());
    } catch {
      const parent = path.dirname(at);
      if (parent === at) return path.resolve(p);
      rest.push(path.basename(at));
      at = parent;
    }
  }
}
