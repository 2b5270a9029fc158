/**
 * Every setting the command line and the environment can give, in one table: the config key it overrides,
 * its flag and the commands that take it, its `GOLIVE_*` variable, and how their text becomes the value the
 * schema checks. Commander's options, `--help`, README's settings table and the precedence (precedence.ts)
 * all read it. Light on purpose: `golive --help` loads it, not the schema.
 */
import { GoliveError } from '../errors.js';
import { DEFAULT_RATE, LOAD_DEFAULTS, OUTPUT_DEFAULTS } from './defaults.js';
import type { GoliveConfigInput } from './schema.js';

/** The commands whose flags are settings. */
export type SettingsCommand = 'load' | 'run' | 'demo';

/** The commands that read `GOLIVE_*` variables: the demo runs its own config, whatever the environment says. */
export const ENV_COMMANDS: readonly SettingsCommand[] = ['load', 'run'];

type Depth = [never, 0, 1, 2, 3, 4];

/** The dotted paths of `T` down to `D` levels (`load.rate`, `load.requests.0.method`). */
type DottedPath<T, D extends number = 4> = [D] extends [never]
  ? never
  : T extends readonly (infer E)[]
    ? `${number}` | `${number}.${DottedPath<NonNullable<E>, Depth[D]>}`
    : T extends object
      ? { [K in keyof T & string]-?: K | `${K}.${DottedPath<NonNullable<T[K]>, Depth[D]>}` }[keyof T & string]
      : never;

/** A key of the config a setting overrides, checked against what users write. */
type ConfigKey = DottedPath<GoliveConfigInput>;

/** The value a user would write at `P` in the config. */
type ValueAt<T, P extends string> = P extends `${infer K}.${infer R}` ? ValueAt<Step<NonNullable<T>, K>, R> : Step<NonNullable<T>, P>;
type Step<T, K extends string> = T extends readonly (infer E)[] ? E : K extends keyof T ? T[K] : never;

/** A config value, or text the schema will refuse by name (`--threads many`: "received "many"", not a crash here). */
type Given<T> = T | string | (T extends object ? { [P in keyof T]: Given<T[P]> } : never);

/** What a flag or variable gives: its text, a repeatable flag's list, or a switch's `true`. */
export type RawSetting = string | readonly string[] | true;

export interface Setting<K extends ConfigKey = ConfigKey> {
  /** The config key the setting overrides. */
  key: K;
  /** The flag as commander declares it (`-d, --duration <duration>`), and the commands that take it. */
  flag?: { spec: string; commands: readonly SettingsCommand[] };
  /** The `GOLIVE_*` variable, read by the commands in ENV_COMMANDS. */
  env?: `GOLIVE_${string}`;
  /** What it sets, for `--help` and README. */
  help: string;
  /** The schema's default, as a user would write it; absent when there is none or it depends on other settings (the help says). */
  default?: string | number;
  /** The flag's or variable's text as the config value. */
  parse: (raw: RawSetting) => Given<ValueAt<GoliveConfigInput, K>>;
}

const text = (raw: RawSetting): string => (typeof raw === 'string' ? raw : String(raw));
/** Digits become a number; other text goes through for the schema to name. */
const count = (raw: RawSetting): number | string => {
  const t = text(raw);
  return /^\d+(\.\d+)?$/.test(t) ? Number(t) : t;
};
const list = (raw: RawSetting): string[] => (Array.isArray(raw) ? [...(raw as readonly string[])] : [text(raw)]);

function headers(raw: RawSetting): Record<string, string> {
  const out: Record<string, string> = {};
  for (const h of list(raw)) {
    const i = h.indexOf(':');
    if (i <= 0) throw new GoliveError('GOLIVE_USAGE', `--header expects 'name: value', received ${JSON.stringify(h)}`);
    out[h.slice(0, i).trim()] = h.slice(i + 1).trim();
  }
  return out;
}

/** An entry, its parse checked against the config's type at its key. */
const setting = <K extends ConfigKey>(s: Setting<K>): Setting => s;

/** In the order `--help` and README list them. */
export const SETTINGS: readonly Setting[] = [
  setting({
    key: 'target.url',
    env: 'GOLIVE_URL',
    help: 'where the load goes; golive load takes it as its URL argument, which wins over GOLIVE_URL',
    parse: text,
  }),
  setting({
    key: 'load.rate',
    flag: { spec: '--rate <rate>', commands: ['load', 'run'] },
    env: 'GOLIVE_RATE',
    help: 'open model: requests (or journeys) per second, e.g. 200 or 200/s',
    default: DEFAULT_RATE,
    parse: text,
  }),
  setting({
    key: 'load.vus',
    flag: { spec: '--vus <n>', commands: ['load'] },
    env: 'GOLIVE_VUS',
    help: 'closed model: this many virtual users instead of a rate',
    parse: count,
  }),
  setting({
    key: 'load.duration',
    flag: { spec: '-d, --duration <duration>', commands: ['load', 'run'] },
    env: 'GOLIVE_DURATION',
    help: 'how long the load runs, e.g. 30s, 2m',
    default: LOAD_DEFAULTS.duration,
    parse: text,
  }),
  setting({
    key: 'load.connections',
    flag: { spec: '--connections <n>', commands: ['load'] },
    env: 'GOLIVE_CONNECTIONS',
    help: 'keep-alive connections (open model)',
    default: LOAD_DEFAULTS.connections,
    parse: count,
  }),
  setting({
    key: 'load.timeout',
    flag: { spec: '--timeout <duration>', commands: ['load'] },
    help: 'per-request timeout, from the intended start',
    default: LOAD_DEFAULTS.timeout,
    parse: text,
  }),
  setting({
    key: 'load.requests.0.method',
    flag: { spec: '-X, --method <method>', commands: ['load'] },
    help: 'HTTP method',
    default: LOAD_DEFAULTS.method,
    parse: text,
  }),
  setting({
    key: 'load.requests.0.headers',
    flag: { spec: '-H, --header <header...>', commands: ['load'] },
    help: "request header 'name: value'; repeatable",
    parse: headers,
  }),
  setting({
    key: 'load.requests.0.body',
    flag: { spec: '--body <body>', commands: ['load'] },
    help: 'request body, a template',
    parse: text,
  }),
  setting({
    key: 'thresholds',
    flag: { spec: '--threshold <threshold...>', commands: ['load'] },
    help: "k6-style threshold, e.g. 'p(95)<300' or 'rate(failed)<0.001'; repeatable",
    parse: list,
  }),
  setting({
    key: 'load.threads',
    flag: { spec: '--threads <n>', commands: ['load', 'run'] },
    env: 'GOLIVE_THREADS',
    help: 'worker threads; when not given, as many as the rate needs, up to the CPU cores',
    parse: count,
  }),
  setting({
    key: 'load.workers',
    flag: { spec: '--workers <n>', commands: ['load', 'run'] },
    help: 'run the load in this many worker processes instead of threads',
    parse: (raw) => ({ kind: 'processes', count: count(raw) }),
  }),
  setting({
    key: 'target.insecure',
    flag: { spec: '--insecure', commands: ['load'] },
    help: 'accept self-signed TLS certificates',
    parse: () => true,
  }),
  setting({
    key: 'target.http2',
    flag: { spec: '--http2', commands: ['load'] },
    help: 'speak HTTP/2',
    parse: () => true,
  }),
  setting({
    key: 'output.dir',
    flag: { spec: '--out <dir>', commands: ['load', 'run', 'demo'] },
    env: 'GOLIVE_OUT',
    help: 'results folder root',
    default: OUTPUT_DEFAULTS.dir,
    parse: text,
  }),
];

/** The long flag of a spec (`--duration`), as errors name it. */
export function longFlag(spec: string): string {
  return /--[\w-]+/.exec(spec)?.[0] ?? spec;
}

/** The option name commander gives a flag's value (`--allow-destroy` → `allowDestroy`). */
export function flagAttribute(spec: string): string {
  return longFlag(spec)
    .slice(2)
    .replace(/-(\w)/g, (_, c: string) => c.toUpperCase());
}

/** A setting's line in `--help`: what it sets, the key, the default and the variable. */
export function settingHelp(s: Setting, command: SettingsCommand): string {
  const notes = [s.key, ...(s.default !== undefined ? [`default ${s.default}`] : []), ...(s.env && ENV_COMMANDS.includes(command) ? [s.env] : [])];
  return `${s.help} (${notes.join('; ')})`;
}
