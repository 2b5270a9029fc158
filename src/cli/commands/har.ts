/** `golive har import session.har`: a recorded browser session as a journey config, correlated, ready for `golive run`. */
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { GoliveError } from '../../errors.js';
import { readHar } from '../../har/har-file.js';
import { harToJourney } from '../../har/to-journey.js';
import { CONFIG_EXTENSIONS, configText } from '../../har/write-config.js';
import { inert } from '../../model/format.js';
import { EXIT, type ExitCode } from '../../api/exit-codes.js';
import type { CliIo } from '../io.js';
import { createProgress } from '../progress.js';

export interface HarImportFlags {
  host?: string[];
  keepStatic?: boolean;
  out?: string;
  /** Commander's --no-correlate. */
  correlate?: boolean;
  name?: string;
  force?: boolean;
}

const MAX_LISTED = 8;

export function harImportCommand(io: CliIo, harFile: string, o: HarImportFlags): ExitCode {
  const input = path.resolve(io.cwd, harFile);
  const out = path.resolve(io.cwd, o.out ?? 'golive.config.ts');
  if (!CONFIG_EXTENSIONS.includes(path.extname(out).toLowerCase())) {
    throw new GoliveError('GOLIVE_USAGE', `--out ${o.out}: a config file ends in ${CONFIG_EXTENSIONS.join(', ')}`);
  }
  const har = readHar(input, harFile);
  if (existsSync(out) && !o.force) throw new GoliveError('GOLIVE_USAGE', `${out} exists; use --force to overwrite it, or --out another file`);
  const progress = createProgress(
    (line) => io.stderr.write(`${line}\n`),
    () => performance.now(),
  );
  const result = harToJourney(har, {
    hosts: o.host ?? [],
    keepStatic: Boolean(o.keepStatic),
    correlate: o.correlate !== false,
    name: o.name,
    onProgress: (done, total) => progress.step(() => `correlating: ${done.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} requests`),
  });
  if ('error' in result) throw new GoliveError('GOLIVE_USAGE', `${harFile}: ${result.error}`);
  progress.phase(`writing ${path.relative(io.cwd, out) || out} (${result.journey.steps.length.toLocaleString('en-US')} steps)`);
  writeFileSync(out, configText(result, out));

  const lines = [`wrote ${path.relative(io.cwd, out) || out}: journey "${result.journey.name}", ${result.journey.steps.length} steps to ${result.origin}`];
  if (o.correlate === false) lines.push("  correlation: off (--no-correlate): every value is replayed as recorded; cookies still come from each journey's jar");
  else if (result.variables.length === 0) lines.push('  correlated: nothing (no value a response gave was sent back later)');
  else {
    lines.push(`  correlated ${result.variables.length} value${result.variables.length === 1 ? '' : 's'} (extracted, then sent as {{vars.NAME}}):`);
    for (const v of result.variables) lines.push(`    ${v.name.padEnd(16)} ${v.source} of ${v.from} → ${v.usedBy.join(', ')}`);
  }
  const d = result.dropped;
  const list = (items: string[]): string => {
    const counts = new Map<string, number>();
    for (const item of items) counts.set(item, (counts.get(item) ?? 0) + 1);
    const shown = [...counts].map(([item, n]) => (n > 1 ? `${item} ×${n}` : item));
    return `${shown.slice(0, MAX_LISTED).join(', ')}${shown.length > MAX_LISTED ? `, … ${shown.length - MAX_LISTED} more` : ''}`;
  };
  if (d.staticAssets.length)
    lines.push(`  dropped ${d.staticAssets.length} static asset${d.staticAssets.length === 1 ? '' : 's'} (--keep-static keeps them): ${list(d.staticAssets)}`);
  if (d.otherHosts.size) lines.push(`  dropped requests to other hosts (--host chooses): ${[...d.otherHosts].map(([h, n]) => `${h} (${n})`).join(', ')}`);
  if (d.noResponse.length) lines.push(`  dropped ${d.noResponse.length} request(s) that got no response in the recording: ${list(d.noResponse)}`);
  for (const w of result.warnings) lines.push(`  ⚠ ${w}`);
  lines.push(`run it: golive run -c ${path.relative(io.cwd, out) || out} --rate 5 -d 1m   (rate counts journeys per second)`);
  // Names, titles and values come from the recording: never let them drive the terminal.
  io.stdout.write(`${inert(lines.join('\n'))}\n`);
  return EXIT.passed;
}
