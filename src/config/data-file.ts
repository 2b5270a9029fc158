/** Reads a data file for `{{data.FIELD}}`: CSV with a header row, or a JSON array of flat objects. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { InputError } from '../errors.js';

export function readDataFile(file: string): Record<string, string>[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new InputError('GOLIVE_DATA_INVALID', file, [{ path: '', message: `cannot read: ${(err as Error).message}` }]);
  }
  const rows = path.extname(file).toLowerCase() === '.json' ? parseJsonRows(text, file) : parseCsv(text, file);
  if (rows.length === 0) throw new InputError('GOLIVE_DATA_INVALID', file, [{ path: '', message: 'has no data rows' }]);
  return rows;
}

function parseJsonRows(text: string, file: string): Record<string, string>[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new InputError('GOLIVE_DATA_INVALID', file, [{ path: '', message: `not valid JSON: ${(err as Error).message}` }]);
  }
  if (!Array.isArray(value)) throw new InputError('GOLIVE_DATA_INVALID', file, [{ path: '', message: 'expected a JSON array of objects' }]);
  return value.map((row: unknown, i) => {
    if (!row || typeof row !== 'object' || Array.isArray(row)) {
      throw new InputError('GOLIVE_DATA_INVALID', file, [{ path: String(i), message: 'expected an object of field: value' }]);
    }
    return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
  });
}

/** RFC 4180 CSV: quoted fields, "" escapes, CRLF or LF. */
export function parseCsv(text: string, file: string): Record<string, string>[] {
  const records: string[][] = [];
  const lines: number[] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else {
        if (c === '\n') line++;
        field += c;
      }
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      record.push(field);
      if (record.length > 1 || record[0] !== '') {
        records.push(record);
        lines.push(recordLine);
      }
      record = [];
      field = '';
      line++;
      recordLine = line;
    } else field += c;
  }
  if (quoted) throw new InputError('GOLIVE_DATA_INVALID', file, [{ path: '', line: recordLine, message: 'a quoted field is never closed' }]);
  record.push(field);
  if (record.length > 1 || record[0] !== '') {
    records.push(record);
    lines.push(recordLine);
  }
  const [header, ...rows] = records;
  if (!header) return [];
  return rows.map((r, i) => {
    if (r.length !== header.length) {
      throw new InputError('GOLIVE_DATA_INVALID', file, [
        { path: '', line: lines[i + 1]!, message: `expected ${header.length} fields (${header.join(', ')}), found ${r.length}` },
      ]);
    }
    return Object.fromEntries(header.map((h, k) => [h.trim(), r[k]!]));
  });
}
