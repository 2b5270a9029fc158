/** The end of a run: the failed drills explained by the audit, the summary, and the reports the config asks for. */
import { copyFileSync } from 'node:fs';
import { makeDirs } from '../files.js';
import path from 'node:path';
import { audit } from '../audit/audit.js';
import { diagnose } from '../audit/diagnose.js';
import { drillsEndangeredBy } from '../drills/kinds.js';
import type { ResolvedConfig } from '../config/schema.js';
import type { DrillResult } from '../model/result.js';
import type { Platform } from '../platforms/platform.js';
import { writeReports } from '../report/write-reports.js';
import { readResults } from '../results/results-reader.js';

/**
 * The audit of the platform before the drills run (the local config, or the live namespace): a failed
 * drill's outage windows are then linked to the findings that explain them, in every report.
 */
export async function createExplainer(platform: Platform | undefined, cwd: string, warn: (m: string) => void): Promise<((d: DrillResult) => void) | undefined> {
  const sources = platform?.auditSources?.();
  if (!sources) return undefined;
  try {
    const { findings } = await audit({ cwd, endangers: drillsEndangeredBy, ...sources });
    return (d) => {
      d.findings.push(...diagnose(d, findings));
    };
  } catch (err) {
    warn(`the audit that explains failed drills could not run: ${(err as Error).message}`);
    return undefined;
  }
}

/** The file reports the config asks for, in the results folder and at their `outputFile`. A failure is a warning. */
export function writeConfiguredReports(dir: string, reporters: ResolvedConfig['reporters'], cwd: string, warn: (m: string) => void): string[] {
  const written: string[] = [];
  let results: ReturnType<typeof readResults> | undefined;
  for (const entry of reporters) {
    const [name, options] = typeof entry === 'string' ? [entry, {}] : entry;
    if (name === 'terminal') continue;
    try {
      if (name === 'json') {
        // summary.json is always in the results folder (golive report reads it); outputFile adds a copy.
        if (options.outputFile) written.push(copyTo(path.join(dir, 'summary.json'), path.resolve(cwd, options.outputFile)));
        continue;
      }
      results ??= readResults(dir);
      written.push(...Object.values(writeReports(results, [name])));
      if (options.outputFile) written.push(...Object.values(writeReports(results, [name], cwd, { [name]: options.outputFile })));
    } catch (err) {
      warn(`the ${name} report could not be written: ${(err as Error).message}`);
    }
  }
  return written;
}

function copyTo(from: string, to: string): string {
  makeDirs(path.dirname(to));
  copyFileSync(from, to);
  return to;
}
