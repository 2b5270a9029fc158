/** The three patch formats of the Kubernetes API, as the stand-in API server applies them. */
type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** RFC 7386 JSON merge patch: objects merge, null deletes, lists are replaced. */
export function mergePatch(target: Json, patch: Json): Json {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out: { [k: string]: Json } = target && typeof target === 'object' && !Array.isArray(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k] ?? null, v);
  }
  return out;
}

/** Lists whose items merge by a key under strategic merge (the ones golive and its tests patch). */
const MERGE_KEYS: Record<string, string> = { containers: 'name', env: 'name', volumes: 'name', tolerations: 'key' };

/** Strategic merge patch: like merge patch, but keyed lists merge item by item and honour `$patch: delete`. */
export function strategicMergePatch(target: Json, patch: Json, field = ''): Json {
  if (Array.isArray(patch)) {
    const key = MERGE_KEYS[field];
    if (!key || !Array.isArray(target)) return patch.filter((p) => !(p && typeof p === 'object' && !Array.isArray(p) && p['$patch'] === 'delete'));
    const out = [...target] as { [k: string]: Json }[];
    for (const item of patch as { [k: string]: Json }[]) {
      const i = out.findIndex((t) => t[key] === item[key]);
      if (item['$patch'] === 'delete') {
        if (i >= 0) out.splice(i, 1);
        continue;
      }
      if (i >= 0) out[i] = strategicMergePatch(out[i]!, item) as { [k: string]: Json };
      else out.push(item);
    }
    return out;
  }
  if (patch === null || typeof patch !== 'object') return patch;
  const out: { [k: string]: Json } = target && typeof target === 'object' && !Array.isArray(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = strategicMergePatch(out[k] ?? null, v, k);
  }
  return out;
}

/** RFC 6902 JSON patch (add, replace, remove) on JSON-pointer paths. */
export function jsonPatch(target: Json, ops: { op: string; path: string; value?: Json }[]): Json {
  const doc = structuredClone(target) as { [k: string]: Json };
  for (const op of ops) {
    const parts = op.path
      .split('/')
      .slice(1)
      .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
    const last = parts.pop()!;
    let node: Json = doc;
    for (const p of parts) node = (node as { [k: string]: Json })[p]!;
    const parent = node as { [k: string]: Json } & Json[];
    if (op.op === 'remove') {
      if (Array.isArray(parent)) parent.splice(Number(last), 1);
      else delete parent[last];
    } else if (Array.isArray(parent) && op.op === 'add') parent.splice(last === '-' ? parent.length : Number(last), 0, op.value!);
    else parent[last] = op.value!;
  }
  return doc;
}
