/**
 * What golive writes down about a config (run.json) holds no credentials: a URL's password and its
 * secret-named query values, every value under a secret-looking name (a header, an app's env variable, a
 * JSON or form field of a body), and every value the config took from a secret-named environment variable
 * (a `.ts` config reading `process.env.API_KEY`) are hidden. A value that is only a `{{env.NAME}}` template
 * is kept: the secret is not in it.
 */
import { redactUrl, SECRET_NAME } from '../model/format.js';

const ONLY_ENV_TEMPLATE = /^(\s*\{\{\s*env\.[A-Za-z_][A-Za-z0-9_]*\s*\}\}\s*|Bearer \{\{\s*env\.[A-Za-z_][A-Za-z0-9_]*\s*\}\})$/;
/** Shorter values are too common to hide everywhere they appear ("1", "true"). */
const MIN_SECRET_LENGTH = 4;
const HIDDEN = '***';

export function redactConfig<T>(value: T, env: NodeJS.ProcessEnv = process.env): T {
  const secrets = Object.entries(env)
    .filter(([name, v]) => SECRET_NAME.test(name) && v !== undefined && v.length >= MIN_SECRET_LENGTH)
    .map(([, v]) => v!)
    .sort((a, b) => b.length - a.length);
  return walk(value, undefined, secrets) as T;
}

function walk(value: unknown, key: string | undefined, secrets: readonly string[]): unknown {
  if (typeof value === 'string') return redactString(value, key, secrets);
  if (Array.isArray(value)) return value.map((v) => walk(v, undefined, secrets));
  if (!value || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const secretName = SECRET_NAME.test(k) && (typeof v === 'string' || typeof v === 'number');
    out[k] = secretName && !(typeof v === 'string' && ONLY_ENV_TEMPLATE.test(v)) ? HIDDEN : walk(v, k, secrets);
  }
  return out;
}

function redactString(text: string, key: string | undefined, secrets: readonly string[]): string {
  let s = text;
  for (const secret of secrets) s = s.split(secret).join(HIDDEN);
  if (key === 'url' || /^[a-z][a-z0-9+.-]*:\/\//i.test(s)) s = redactUrl(s);
  if (key === 'body') s = redactBody(s, secrets);
  return s;
}

/** A request body: secret-named JSON fields or form parameters hidden; any other body as it is. */
function redactBody(body: string, secrets: readonly string[]): string {
  const trimmed = body.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return JSON.stringify(walk(JSON.parse(trimmed), undefined, secrets));
    } catch {
      // not JSON (a template, perhaps): as it is
    }
  }
  if (/^[^=&\s]+=[^&]*(&[^=&\s]+=[^&]*)*$/.test(trimmed)) return redactUrl(`?${trimmed}`).slice(1);
  return body;
}
