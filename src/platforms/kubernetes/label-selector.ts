/**
 * Label selectors as the API server reads them (`app=web,tier in (front,api),!canary`), checked when the
 * config is read, so a typo is a config error naming the place rather than a 400 at run time.
 */

const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const PREFIX = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function keyProblem(key: string): string | undefined {
  const slash = key.indexOf('/');
  const [prefix, name] = slash < 0 ? [undefined, key] : [key.slice(0, slash), key.slice(slash + 1)];
  if (prefix !== undefined && (prefix.length > 253 || !PREFIX.test(prefix))) return `"${prefix}" is not a DNS subdomain (the key's prefix)`;
  if (!NAME.test(name)) return `"${key}" is not a label key (letters, digits, "-", "_", "." and at most 63 of them, an optional "prefix/")`;
  return undefined;
}

function valueProblem(value: string): string | undefined {
  return value === '' || NAME.test(value) ? undefined : `"${value}" is not a label value (letters, digits, "-", "_", "." and at most 63 of them)`;
}

/** Splits at commas outside parentheses. */
function requirements(selector: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < selector.length; i++) {
    const c = selector[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      out.push(selector.slice(start, i));
      start = i + 1;
    }
  }
  out.push(selector.slice(start));
  return out.map((r) => r.trim());
}

/** Why `selector` is not a label selector, or undefined when it is one. */
export function labelSelectorProblem(selector: string): string | undefined {
  if (!selector.trim()) return 'an empty selector selects everything: leave workloads out for every Deployment and StatefulSet in the namespace';
  for (const r of requirements(selector)) {
    if (!r) return 'an empty requirement (two commas, or a comma at an end)';
    const set = /^(\S+)\s+(in|notin)\s*\(([^()]*)\)$/.exec(r);
    const equality = /^([^=!\s]+)\s*(==|=|!=)\s*([^=!\s]*)$/.exec(r);
    const exists = /^(!?)\s*([^=!\s(),]+)$/.exec(r);
    const problem = set
      ? (keyProblem(set[1]!) ??
        set[3]!
          .split(',')
          .map((v) => v.trim())
          .map((v) => (v === '' ? 'an empty value in a set' : valueProblem(v)))
          .find(Boolean))
      : equality
        ? (keyProblem(equality[1]!) ?? valueProblem(equality[3]!))
        : exists
          ? keyProblem(exists[2]!)
          : `"${r}" is not a requirement: expected key=value, key!=value, key in (a,b), key notin (a,b), key or !key`;
    if (problem) return problem;
  }
  return undefined;
}
