/**
 * Recorded text as the import rewrites it: literal pieces, and the variables correlation put in place of
 * values. Kept apart until the config is written, so a recorded `{{…}}` is written escaped (sent as text)
 * and only the import's own `{{vars.NAME}}` are live.
 */
import { escapeTemplate } from '../engine/template.js';

/** `{{vars.NAME}}`, or `{{vars.NAME|url}}` (percent-encoded) when `url`. */
export interface VarUse {
  name: string;
  url: boolean;
}

export type RecordedText = (string | VarUse)[];

export function literal(text: string): RecordedText {
  return text === '' ? [] : [text];
}

/** Whether a literal piece holds `value` (a value is never found across a variable). */
export function holds(text: RecordedText, value: string): boolean {
  return text.some((p) => typeof p === 'string' && p.includes(value));
}

/** Every `value` in the literal pieces replaced by `use`. */
export function replaceValue(text: RecordedText, value: string, use: VarUse): RecordedText {
  return text.flatMap((p) => {
    if (typeof p !== 'string' || !p.includes(value)) return [p];
    return p.split(value).flatMap((piece, i) => (i === 0 ? literal(piece) : [use, ...literal(piece)]));
  });
}

/** The text before the first literal `?`, and from it on (empty when there is none). */
export function splitAtQuery(text: RecordedText): [RecordedText, RecordedText] {
  const at = text.findIndex((p) => typeof p === 'string' && p.includes('?'));
  if (at === -1) return [text, []];
  const p = text[at] as string;
  const q = p.indexOf('?');
  return [
    [...text.slice(0, at), ...literal(p.slice(0, q))],
    [p.slice(q), ...text.slice(at + 1)],
  ];
}

export function startsWithVar(text: RecordedText): boolean {
  return text.length > 0 && typeof text[0] !== 'string';
}

/** The text as recorded, or undefined when a variable is in it. */
export function plainText(text: RecordedText): string | undefined {
  let out = '';
  for (const p of text) {
    if (typeof p !== 'string') return undefined;
    out += p;
  }
  return out;
}

/** The golive template: literal pieces escaped, variables as placeholders. */
export function templateOf(text: RecordedText): string {
  return text.map((p) => (typeof p === 'string' ? escapeTemplate(p) : `{{vars.${p.name}${p.url ? '|url' : ''}}}`)).join('');
}
