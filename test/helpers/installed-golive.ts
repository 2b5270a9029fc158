/** A project folder where golive is installed as a package (node_modules/golive is this repository, as `npm link` makes it). */
import { mkdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from './temp-dir.js';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../../..');

export function projectWithGolive(): string {
  const dir = tempDir('golive-project-');
  mkdirSync(path.join(dir, 'node_modules'));
  symlinkSync(REPO_ROOT, path.join(dir, 'node_modules', 'golive'), 'dir');
  return dir;
}
