/**
 * What golive writes down about a config (run.json) holds no credentials: a URL's password and the values
 * of credential headers are hidden, unless the value is only a `{{env.NAME}}` template (the secret is not in it).
 */
import { redactUrl } from '../model/format.js';

const CREDENTIAL_HEADERS = /^(authorization|proxy-authorization|cookie|x-api-key|api-key|x-auth-token|x-access-token)$/i;
const ONLY_ENV_TEMPLATE = /^(\s*\{\{\s*env\.[A-Za-z_][A-Za-z0-9_]*\s*\}\}\s*|Bearer \{\{\s*env\.[A-Za-z_][A-Za-z0-9_]*\s*\}\})$/;

export function redactConfig<T>(value: T): T {
  return walk(value, undefined) as T;
}

function walk(value: unknown, key: string | undefined): unknown {
  if (typeof value === 'string') return key === 'url' ? redactUrl(value) : value;
  if (Array.isArray(value)) return value.map((v) => walk(v, undefined));
  if (!value || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (key === 'headers' && typeof v === 'string' && CREDENTIAL_HEADERS.test(k) && !ONLY_ENV_TEMPLATE.test(v)) out[k] = '***';
    else out[k] = walk(v, k);
  }
  return out;
}
