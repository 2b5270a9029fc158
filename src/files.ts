/**
 * Files golive writes whole (summaries, reports, journals): never left half-written by a full disk or a crash.
 * And files golive reads back (its results, journals, plans): parsed through their schema, so a crafted,
 * damaged or cut-short file is bad input that names the file, the line and the field — never a crash.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { describeValue, InputError, type InputProblem } from './errors.js';
import { inert } from './model/format.js';

/** Writes `text` to `file` through a temp file and a rename; on failure the temp file is removed and the error thrown. */
export function writeAtomically(file: string, text: string | Buffer): void {
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/**
 * `mkdir -p` that always ends: Node's recursive mkdir loops forever where mkdir answers ENOENT under a
 * parent that exists (procfs: `--out /proc/x` spun at 100 % CPU). Each missing folder is made once, in order.
 */
export function makeDirs(dir: string): void {
  const missing: string[] = [];
  for (let at = path.resolve(dir); !existsSync(at); at = path.dirname(at)) {
    missing.push(at);
    if (path.dirname(at) === at) break;
  }
  for (const folder of missing.reverse()) {
    try {
      mkdirSync(folder);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}

/** More problems than this in one file are counted, not listed. */
const MAX_PROBLEMS = 10;

/** Reads a JSON file golive wrote and parses it through `schema`; throws an InputError (exit 2) naming what is wrong. */
export function readJsonFile<S extends z.ZodType>(file: string, schema: S, maxBytes: number): z.output<S> {
  const size = sizeOf(file);
  if (size > maxBytes) throw dataError(file, [{ path: '', message: `is ${mib(size)}: more than ${mib(maxBytes)}, larger than golive writes` }]);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw dataError(file, [{ path: '', message: `not valid JSON (cut short or damaged?): ${(err as Error).message}` }]);
  }
  const parsed = schema.safeParse(raw, { reportInput: true });
  if (!parsed.success) throw dataError(file, problemsOf(parsed.error));
  return parsed.data;
}

export interface NdjsonRead<T> {
  /** Each valid line with its line number (from 1). */
  lines: { line: number; value: T }[];
  /** The last line, when a crash cut it short (no newline, not JSON): left out, as a crash leaves it. */
  tornLine?: number;
}

/**
 * Reads an NDJSON file golive appends to as a run goes, line by line (never the whole file as one string),
 * each line parsed through `schema`. Only a last line a crash cut short is left out; any other bad line
 * is bad input, and every one found (up to ten) is named with its line number and field.
 */
export function readNdjsonFile<S extends z.ZodType>(file: string, schema: S, o: { maxBytes: number; maxLineBytes: number }): NdjsonRead<z.output<S>> {
  const size = sizeOf(file);
  if (size > o.maxBytes) throw dataError(file, [{ path: '', message: `is ${mib(size)}: more than ${mib(o.maxBytes)}, larger than golive writes` }]);
  const out: NdjsonRead<z.output<S>> = { lines: [] };
  const problems: InputProblem[] = [];
  let bad = 0;
  const problem = (p: InputProblem): void => {
    bad++;
    if (problems.length < MAX_PROBLEMS) problems.push(p);
  };
  forEachLine(file, o.maxLineBytes, (text, line, last) => {
    if (text === null) return problem({ line, path: '', message: `longer than ${mib(o.maxLineBytes)}: not a line golive writes` });
    if (!text.trim()) return;
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (err) {
      if (last) out.tornLine = line;
      else problem({ line, path: '', message: `not valid JSON: ${(err as Error).message}` });
      return;
    }
    const parsed = schema.safeParse(raw, { reportInput: true });
    if (parsed.success) out.lines.push({ line, value: parsed.data });
    else for (const p of problemsOf(parsed.error)) problem({ ...p, line });
  });
  if (bad > problems.length) problems.push({ path: '', message: `… and ${bad - problems.length} more` });
  if (problems.length) throw dataError(file, problems);
  return out;
}

/** Calls `visit` for each line (null for one longer than `maxLineBytes`); `last` marks a final line without a newline. */
function forEachLine(file: string, maxLineBytes: number, visit: (text: string | null, line: number, last: boolean) => void): void {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(1024 * 1024);
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let tooLong = false;
    let line = 0;
    const flush = (end: Buffer, last: boolean): void => {
      line++;
      if (tooLong || pendingBytes + end.length > maxLineBytes) visit(null, line, last);
      else visit(Buffer.concat([...pending, end]).toString('utf8'), line, last);
      pending = [];
      pendingBytes = 0;
      tooLong = false;
    };
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n <= 0) break;
      let from = 0;
      for (let nl = buf.indexOf(10, from); nl !== -1 && nl < n; nl = buf.indexOf(10, from)) {
        flush(buf.subarray(from, nl), false);
        from = nl + 1;
      }
      if (from < n) {
        if (tooLong || pendingBytes + (n - from) > maxLineBytes) {
          tooLong = true; // what is kept of an over-long line is nothing: the line is named, never buffered
          pending = [];
        } else pending.push(Buffer.from(buf.subarray(from, n)));
        pendingBytes += n - from;
      }
    }
    if (pendingBytes > 0) flush(Buffer.alloc(0), true);
  } finally {
    closeSync(fd);
  }
}

function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch (err) {
    throw dataError(file, [{ path: '', message: `cannot be read: ${(err as Error).message}` }]);
  }
}

function dataError(file: string, problems: InputProblem[]): InputError {
  return new InputError('GOLIVE_DATA_INVALID', inert(file), problems);
}

function mib(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MiB` : `${bytes} bytes`;
}

/** Zod's issues as problems: the field's dotted path (made inert: keys come from the file), what was found, what is expected. */
function problemsOf(error: z.ZodError): InputProblem[] {
  return issuesOf(error.issues, []).map((issue) => {
    let message = issue.message;
    if (issue.code === 'invalid_type') {
      message =
        issue.input === undefined
          ? `required: expected ${article(issue.expected)}`
          : `expected ${article(issue.expected)}, received ${describeValue(issue.input)}`;
    }
    return { path: inert(issue.path.map(String).join('.')), message: inert(message) };
  });
}

/**
 * The issues, with a union's replaced by those of the option its `kind` chose (the option with no issue
 * about `kind`), so a crafted variant names its own bad field, not "Invalid input".
 */
function issuesOf(issues: readonly z.core.$ZodIssue[], at: PropertyKey[]): z.core.$ZodIssue[] {
  return issues.flatMap((issue) => {
    const path = [...at, ...issue.path];
    if (issue.code !== 'invalid_union') return [{ ...issue, path }];
    const chosen = issue.errors.filter((option) => !option.some((i) => i.path.length === 1 && i.path[0] === 'kind'));
    return chosen.length === 1 ? issuesOf(chosen[0]!, path) : [{ ...issue, path }];
  });
}

function article(expected: string): string {
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}
