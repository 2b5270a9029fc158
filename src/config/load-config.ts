/**
 * Finds, reads and validates a config file. Every problem is reported at once, with the file, the dotted
 * path, the line (YAML and JSON) and what is allowed.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { whyNotDeletable } from './deletable-paths.js';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createJiti } from 'jiti';
import { LineCounter, parseDocument, isNode, isScalar, visit, type Document } from 'yaml';
import type { z } from 'zod';
import { describeValue, InputError, type InputProblem } from '../errors.js';
import { configSchema, type ResolvedConfig } from './schema.js';

const SELF = fileURLToPath(new URL('../index.js', import.meta.url));
const SELF_CONFIG = fileURLToPath(new URL('./define-config.js', import.meta.url));

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
  /** Other config files in the same folder, not read: the one used is the first in CONFIG_NAMES order. */
  ignoredFiles: string[];
}

/** What to tell a user whose folder holds more than one config file; undefined when it holds one. */
export function ignoredConfigNote(loaded: LoadedConfig): string | undefined {
  if (loaded.ignoredFiles.length === 0) return undefined;
  return `${loaded.fileLabel} is used; ${loaded.ignoredFiles.join(', ')} ${loaded.ignoredFiles.length === 1 ? 'is' : 'are'} ignored (the first of ${CONFIG_NAMES.join(', ')} wins): remove the other file or pass -c FILE`;
}

function drillOrderOf(raw: unknown): string[] {
  const drills = raw && typeof raw === 'object' ? (raw as { drills?: unknown }).drills : undefined;
  return drills && typeof drills === 'object' ? Object.keys(drills) : [];
}

/** The config files in `cwd`, in the order the first one wins. */
function findConfigFiles(cwd: string): string[] {
  return CONFIG_NAMES.map((name) => path.join(cwd, name)).filter((candidate) => existsSync(candidate));
}

interface RawFile {
  value: unknown;
  /** Maps a dotted path to its line, where the format allows. */
  lineOf: (p: readonly PropertyKey[]) => number | undefined;
}

/** A config is small: beyond this it is not one (and YAML's duplicate-key check grows with the square of a map's size). */
const MAX_CONFIG_BYTES = 1024 * 1024;
/** How long a code config may take to load: a top-level await that never settles must not hang (or silently end) golive. */
const CONFIG_LOAD_TIMEOUT_MS = 15_000;
/** YAML aliases a config may expand: beyond this it is an alias bomb, not a config. */
const MAX_YAML_ALIASES = 100;

async function readConfigFile(file: string, shownAs: string = file, loadTimeoutMs = CONFIG_LOAD_TIMEOUT_MS): Promise<RawFile> {
  const problem = (message: string, line?: number): InputError =>
    new InputError('GOLIVE_CONFIG_INVALID', shownAs, [{ path: '', message, ...(line !== undefined ? { line } : {}) }]);
  let size: number;
  try {
    const st = statSync(file);
    if (st.isDirectory()) throw problem(`is a folder, not a config file: give a file (${CONFIG_NAMES.join(', ')}) with -c`);
    size = st.size;
  } catch (err) {
    if (err instanceof InputError) throw err;
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new InputError('GOLIVE_CONFIG_NOT_FOUND', shownAs, [{ path: '', message: 'no such file' }]);
    throw problem(`cannot be read: ${(err as Error).message}`);
  }
  if (size > MAX_CONFIG_BYTES) throw problem(`is ${(size / 1048576).toFixed(1)} MiB: a config is at most 1 MiB (put large data in load.data files)`);
  const ext = path.extname(file).toLowerCase();
  if (ext === '.json' || ext === '.yaml' || ext === '.yml') return readYamlOrJson(file, shownAs);
  if (['.ts', '.mts', '.js', '.mjs', '.cjs'].includes(ext)) {
    let timer: NodeJS.Timeout | undefined;
    try {
      // `import { defineConfig } from 'golive'` (or 'golive/config') resolves to this golive, installed or not where the config lives.
      const jiti = createJiti(pathToFileURL(file).href, { moduleCache: false, fsCache: false, alias: { 'golive/config': SELF_CONFIG, golive: SELF } });
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(problem(`did not finish loading within ${loadTimeoutMs / 1000} s: a top-level await that never settles?`)),
          loadTimeoutMs,
        );
      });
      const mod = await Promise.race([jiti.import<{ default?: unknown }>(file), timeout]);
      const value = mod && typeof mod === 'object' && 'default' in mod ? mod.default : mod;
      return { value, lineOf: () => undefined };
    } catch (err) {
      if (err instanceof InputError) throw err;
      const text = err instanceof Error ? err.message : String(err);
      // Syntax errors carry `file:line:column` on a later line of the message.
      const at = /:(\d+):(\d+)\s*$/m.exec(text);
      const first = (text.split('\n')[0] ?? text).trim();
      throw problem(`could not load: ${first}${at ? ` (column ${at[2]})` : ''}`, at ? Number(at[1]) : undefined);
    } finally {
      clearTimeout(timer);
    }
  }
  throw problem(`unsupported config type "${ext}": use .ts, .mts, .js, .mjs, .json, .yaml or .yml`);
}

/** Keys given twice in one mapping (the later would silently win): every one, with its line. */
function duplicateKeys(contents: unknown, lines: LineCounter): InputProblem[] {
  const problems: InputProblem[] = [];
  if (!isNode(contents)) return problems;
  visit(contents, {
    Map(_key, map) {
      const seen = new Set<string>();
      for (const pair of map.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : JSON.stringify(pair.key);
        if (!seen.has(key)) {
          seen.add(key);
          continue;
        }
        const at = isNode(pair.key) && pair.key.range ? lines.linePos(pair.key.range[0]).line : undefined;
        problems.push({
          path: '',
          message: `the key "${key}" is given twice in the same mapping: only one can count`,
          ...(at !== undefined ? { line: at } : {}),
        });
      }
    },
  });
  return problems;
}

function readYamlOrJson(file: string, shownAs: string): RawFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new InputError('GOLIVE_CONFIG_INVALID', shownAs, [{ path: '', message: `cannot be read: ${(err as Error).message}` }]);
  }
  const lineCounter = new LineCounter();
  // yaml's own duplicate-key check compares every key with every other (a 550 KB map took 7 s): ours is linear.
  const doc: Document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
  const duplicates = duplicateKeys(doc.contents, lineCounter);
  if (duplicates.length > 0) throw new InputError('GOLIVE_CONFIG_INVALID', shownAs, duplicates);
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
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  } catch (err) {
    throw new InputError('GOLIVE_CONFIG_INVALID', shownAs, [
      { path: '', message: `refused: ${(err as Error).message} (more than ${MAX_YAML_ALIASES} alias expansions)` },
    ]);
  }
  return {
    value,
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
  // An unknown key is on its own line, not its parent's.
  const line = (issue.code === 'unrecognized_keys' && issue.keys[0] !== undefined ? lineOf([...p, issue.keys[0]]) : undefined) ?? lineOf(p);
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

/**
 * A copy of a config's objects and arrays (so overrides never touch the user's object); anything else —
 * a function, a class instance — is kept as it is, for the schema to name where it is wrong.
 */
function copyPlain(v: unknown, depth: number): unknown {
  if (depth > 64)
    throw new InputError('GOLIVE_CONFIG_INVALID', undefined, [{ path: '', message: 'nested deeper than 64 levels: does the config refer to itself?' }]);
  if (Array.isArray(v)) return v.map((x) => copyPlain(x, depth + 1));
  if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, copyPlain(x, depth + 1)]));
  }
  return v;
}

/** Dotted-path settings applied over a config before validation, so every source gets the same checks. */
export type ConfigOverrides = Record<string, unknown>;

function applyOverrides(raw: unknown, overrides: ConfigOverrides): unknown {
  const root: Record<string, unknown> = raw && typeof raw === 'object' ? (copyPlain(raw, 0) as Record<string, unknown>) : {};
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
  /** How long a .ts/.js config may take to load. @default 15 s */
  loadTimeoutMs?: number;
}

/** Reads the config (file or object), applies overrides, validates. */
export async function loadConfig(options: LoadConfigOptions): Promise<LoadedConfig> {
  const origins = options.origins ?? {};
  if (options.inline !== undefined) {
    const config = validateConfig(applyOverrides(options.inline, options.overrides ?? {}), options.label, undefined, origins);
    checkDeletablePaths(config, options.cwd, options.cwd, options.label, () => undefined, usesAppShorthand(options.inline));
    return {
      config,
      file: undefined,
      fileLabel: undefined,
      baseDir: options.cwd,
      drillOrder: drillOrderOf(options.inline),
      lineOf: () => undefined,
      ignoredFiles: [],
    };
  }
  const found = options.file ? [] : findConfigFiles(options.cwd);
  const file = options.file ? path.resolve(options.cwd, options.file) : found[0];
  if (!file) {
    throw new InputError('GOLIVE_CONFIG_NOT_FOUND', options.cwd, [
      { path: '', message: `no config file here (looked for ${CONFIG_NAMES.join(', ')}); write one with \`golive init\` or pass -c FILE` },
    ]);
  }
  const shownAs = path.relative(options.cwd, file) || file;
  const raw = await readConfigFile(file, shownAs, options.loadTimeoutMs);
  const config = validateConfig(applyOverrides(raw.value, options.overrides ?? {}), shownAs, raw.lineOf, origins);
  checkDeletablePaths(config, path.dirname(file), options.cwd, shownAs, (p) => raw.lineOf(p.split('.')), usesAppShorthand(raw.value));
  return {
    config,
    file,
    fileLabel: shownAs,
    baseDir: path.dirname(file),
    drillOrder: drillOrderOf(raw.value),
    lineOf: (p) => raw.lineOf(p.split('.')),
    ignoredFiles: found.slice(1).map((f) => path.basename(f)),
  };
}

/** Folders golive would delete, checked before anything runs (see deletable-paths.ts): every component's dataDir. */
function checkDeletablePaths(
  config: ResolvedConfig,
  baseDir: string,
  cwd: string,
  file: string | undefined,
  lineOf: (p: string) => number | undefined,
  shorthand: boolean,
): void {
  const p = config.platform;
  if (p?.kind !== 'local') return;
  const problems: InputProblem[] = [];
  for (const [name, c] of Object.entries(p.components)) {
    if (c.dataDir === undefined) continue;
    const why = whyNotDeletable(path.resolve(baseDir, c.dataDir), {
      baseDir,
      appCwds: Object.entries(p.components).map(
        ([n, x]) =>
          [path.resolve(baseDir, x.cwd ?? '.'), shorthand ? "the app's folder (platform.app.cwd)" : `the folder of component ${n} (its cwd)`] as const,
      ),
      resultsDir: path.resolve(cwd, config.output.dir),
      cwd,
    });
    if (!why) continue;
    const at = shorthand ? 'platform.app.dataDir' : `platform.components.${name}.dataDir`;
    const line = lineOf(at);
    problems.push({ path: at, message: why, ...(line !== undefined ? { line } : {}) });
  }
  if (problems.length > 0) throw new InputError('GOLIVE_CONFIG_INVALID', file, problems);
}

/** Whether the config wrote its one component as `platform.app` (errors then name that path). */
function usesAppShorthand(raw: unknown): boolean {
  const platform = (raw as { platform?: { app?: unknown } } | undefined)?.platform;
  return typeof platform?.app === 'object' && platform.app !== null;
}
