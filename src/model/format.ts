/** How figures are written for people: durations, milliseconds and percentages in every report. */

/** Human form used in reports: `0s`, `850ms`, `1.5s`, `2m5s`. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 1000) return `${round(ms, ms < 10 ? 2 : 0)}ms`;
  if (ms < 60_000) return `${round(ms / 1000, 2)}s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms - minutes * 60_000) / 1000);
  if (minutes < 60) return seconds ? `${minutes}m${seconds}s` : `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  return `${hours}h${minutes % 60}m`;
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export function percent(fraction: number): string {
  if (fraction === 0) return '0 %';
  const p = fraction * 100;
  return `${p < 0.01 ? p.toPrecision(2) : p < 10 ? p.toFixed(2) : p.toFixed(1)} %`;
}

export function formatMs(ms: number): string {
  return ms < 10 ? `${ms.toFixed(2)}ms` : ms < 1000 ? `${ms.toFixed(1)}ms` : `${(ms / 1000).toFixed(2)}s`;
}

/** Text from outside (a hook's output, a server, a cluster) made inert for a terminal: control characters, escape sequences included, shown as \xNN. */
export function inert(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/**
 * Text from outside (a results file, hook output, event messages, cluster object names) made inert for a
 * Markdown renderer and a terminal at once: lines are joined, control characters shown as \xNN, HTML
 * escaped, and code spans, links and table cells cannot be opened.
 */
export function inertMarkdown(text: string): string {
  return inert(text.replace(/\r?\n/g, ' '))
    .replace(/([\\`[\]|])/g, '\\$1')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/**
 * Names whose values are secrets wherever they appear: a header, a query parameter, a form or JSON field,
 * an environment variable. Matched loosely on purpose: hiding a harmless value costs less than showing a key.
 */
export const SECRET_NAME = /pass(word|wd)?|secret|token|api[-_]?key|apikey|auth|credential|private[-_]?key|session|cookie|signature|access[-_]?key/i;

/** A URL with its password (and a token in the user part) and secret-named query values hidden: `https://user:***@host/?api_key=***`. */
export function redactUrl(url: string): string {
  const userinfoHidden = url.replace(/^([a-z][a-z0-9+.-]*:\/\/)([^/@?#]*)@/i, (_m, scheme: string, userinfo: string) => {
    const colon = userinfo.indexOf(':');
    return `${scheme}${colon === -1 ? '***' : `${userinfo.slice(0, colon)}:***`}@`;
  });
  return userinfoHidden.replace(/([?&;])([^=&#;]*)=([^&#;]*)/g, (m, sep: string, name: string, value: string) =>
    SECRET_NAME.test(safeDecode(name)) && !/^\{\{\s*env\.\w+\s*\}\}$/.test(value) ? `${sep}${name}=***` : m,
  );
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}
