/**
 * Finds, reads and validates a config file. Every problem is reported at once, with the file, the dotted
 * path, the line (YAML and JSON) and what is allowed.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createJiti } from 'jiti';
import { LineCounter, parseDocument, isNode, type Document } from 'yaml';
import type { z } from 'zod';
import { describeValue, InputError, type InputProblem } from '../errors.js';
import { configSchema, type ResolvedConfig } from './schema.js';

const SELF = fileURLToPath(new URL('../index.js', import.meta.url));

const CONFIG_NAMES = [
  'golive.config.ts',
  'golive.config.mts',
  'golive.config.js',
  'golive.config.mjs',
  'golive.config.json',
  'golive.config.yaml',
  'golive.config.yml',
];

export interface LoadedConfig {
  config: ResolvedConfig;
  /** Absolute path of the file, or undefined for a config given as an object. */
  file: string | undefined;
  /** How errors name the file: relative to the working directory. */
  fileLabel: string | undefined;
  /** Folder that relative paths in the config (data files, repos) are resolved against. */
  baseDir: string;
  /** Drill names in the order the config lists them: drills run in this order. */
  drillOrder: string[];
  /** The line of a dotted path in the file (YAML and JSON configs). */
  lineOf: (path: string) => number | undefined;
}

function drillOrderOf(raw: unknown): string[] {
  const drills = raw && typeof raw === 'object' ? (raw as { drills?: unknown }).drills : undefined;
  return drills && typeof drills === 'object' ? Object.keys(drills) : [];
}

/** The config file in `cwd`, or undefined. */
function findConfigFile(cwd: string): string | undefined {
  for (const name of CONFIG_NAMES) {
    const candidate = path.join(cwd, name);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

interface RawFile {
  value: unknown;
  /** Maps a dotted path to its line, where the format allows. */
  lineOf: (p: readonly PropertyKey[]) => number | undefined;
}

async function readConfigFile(file: string, shownAs: string = file): Promise<RawFile> {
  if (!existsSync(file)) {
    throw new InputError('GOLIVE_CONFIG_NOT_FOUND', shownAs, [{ path: '', message: 'no such file' }]);
  }
  const ext = path.extname(file).toLowerCase();
  if (ext === '.json' || ext === '.yaml' || ext === '.yml') return readYamlOrJson(file, shownAs);
  if (['.ts', '.mts', '.js', '.mjs', '.cjs'].includes(ext)) {
    try {
      // `import { defineConfig } from 'golive'` resolves to this golive, installed or not where the config lives.
      const jiti = createJiti(pathToFileURL(file).href, { moduleCache: false, fsCache: false, alias: { golive: SELF } });
      const mod = await jiti.import<{ default?: unknown }>(file);
      const value = mod && typeof mod === 'object' && 'default' in mod ? mod.default : mod;
      return { value, lineOf: () => undefined };
    } catch (err) {
      const message = err instanceof Error ? (err.message.split('\n')[0] ?? err.message) : String(err);
      throw new InputError('GOLIVE_CONFIG_INVALID', shownAs, [{ path: '', message: `could not load: ${message}` }]);
    }
  }
  throw new InputError('GOLIVE_CONFIG_INVALID', shownAs, [
    { path: '', message: `unsupported config type "${ext}": use .ts, .mts, .js, .mjs, .json, .yaml or .yml` },
  ]);
}

function readYamlOrJson(file: string, shownAs: string): RawFile {
  const text = readFileSync(file, 'utf8');
  const lineCounter = new LineCounter();
  const doc: Document = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new InputError(
      'GOLIVE_CONFIG_INVALID',
      shownAs,
      doc.errors.map((e) => ({
        path: '',
        line: e.linePos?.[0]?.line ?? lineCounter.linePos(e.pos[0]).line,
        message: `not valid ${path.extname(file) === '.json' ? 'JSON' : 'YAML'}: ${e.message.split('\n')[0]}`,
      })),
    );
  }
  return {
    value: doc.toJS(),
    lineOf: (p) => {
      for (let n = p.length; n >= 0; n--) {
        const node = doc.getIn(p.slice(0, n) as unknown[], true);
        if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
      }
      return undefined;
    },
  };
}

/** Validates a raw config object against the schema; throws an InputError listing every problem. */
export function validateConfig(
  raw: unknown,
  file: string | undefined,
  lineOf: RawFile['lineOf'] = () => undefined,
  origins: Readonly<Record<string, string>> = {},
): ResolvedConfig {
  const result = configSchema.safeParse(raw, { reportInput: true });
  if (result.success) return result.data;
  throw new InputError(
    'GOLIVE_CONFIG_INVALID',
    file,
    result.error.issues.map((issue) => toProblem(issue, raw, lineOf, origins)),
  );
}

function toProblem(issue: z.core.$ZodIssue, raw: unknown, lineOf: RawFile['lineOf'], origins: Readonly<Record<string, string>>): InputProblem {
  const p = issue.path.map((k) => (typeof k === 'symbol' ? k.toString() : k));
  let message = issue.message;
  if (issue.code === 'invalid_type' && message.startsWith('Invalid input')) {
    message =
      issue.input === undefined
        ? `required: expected ${article(issue.expected)}`
        : `expected ${article(issue.expected)}, received ${describeValue(issue.input)}`;
  } else if (issue.code === 'invalid_union' && message.startsWith('Invalid input')) {
    message = `received ${describeValue(valueAt(raw, p))}, which is not of an allowed form`;
  }
  const dotted = p.join('.');
  // A setting from the command line or the environment is named as the user gave it, not by a file line.
  const origin = Object.keys(origins).find((o) => dotted === o || dotted.startsWith(`${o}.`));
  if (origin) return { path: `${origins[origin]!} (${dotted})`, message };
  const line = lineOf(p);
  return { path: dotted, message, ...(line !== undefined ? { line } : {}) };
}

function article(expected: string): string {
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

function valueAt(raw: unknown, p: readonly (string | number)[]): unknown {
  let v = raw;
  for (const k of p) v = v && typeof v === 'object' ? (v as Record<string | number, unknown>)[k] : undefined;
  return v;
}

/** Dotted-path settings applied over a config before validation, so every source gets the same checks. */
export type ConfigOverrides = Record<string, unknown>;

function applyOverrides(raw: unknown, overrides: ConfigOverrides): unknown {
  const root: Record<string, unknown> = raw && typeof raw === 'object' ? structuredClone(raw as Record<string, unknown>) : {};
  for (const [dotted, value] of Object.entries(overrides)) {
    if (value === undefined) continue;
    const keys = dotted.split('.');
    let node = root;
    for (const k of keys.slice(0, -1)) {
      if (!node[k] || typeof node[k] !== 'object') node[k] = {};
      node = node[k] as Record<string, unknown>;
    }
    node[keys[keys.length - 1]!] = value;
  }
  return root;
}

export interface LoadConfigOptions {
  file?: string;
  cwd: string;
  /** Settings over the file's, already in precedence order (see precedence.ts): dotted path → value. */
  overrides?: ConfigOverrides;
  /** Where each overridden setting came from (`--rate`, `GOLIVE_RATE`): errors name the flag or variable. */
  origins?: Readonly<Record<string, string>>;
  inline?: unknown;
  /** How errors name an inline config (`golive load`): default `input`. */
  label?: string;
}

/** Reads the config (file or object), applies overrides, validates. */
export async function loadConfig(options: LoadConfigOptions): Promise<LoadedConfig> {
  const origins = options.origins ?? {};
  if (options.inline !== undefined) {
    const config = validateConfig(applyOverrides(options.inline, options.overrides ?? {}), options.label, undefined, origins);
    return { config, file: undefined, fileLabel: undefined, baseDir: options.cwd, drillOrder: drillOrderOf(options.inline), lineOf: () => undefined };
  }
  const file = options.file ? path.resolve(options.cwd, options.file) : findConfigFile(options.cwd);
  if (!file) {
    throw new InputError('GOLIVE_CONFIG_NOT_FOUND', options.cwd, [
      { path: '', message: `no config file here (looked for ${CONFIG_NAMES.join(', ')}); write one with \`golive init\` or pass -c FILE` },
    ]);
  }
  const shownAs = path.relative(options.cwd, file) || file;
  const raw = await readConfigFile(file, shownAs);
  const config = validateConfig(applyOverrides(raw.value, options.overrides ?? {}), shownAs, raw.lineOf, origins);
  return { config, file, fileLabel: shownAs, baseDir: path.dirname(file), drillOrder: drillOrderOf(raw.value), lineOf: (p) => raw.lineOf(p.split('.')) };
}
