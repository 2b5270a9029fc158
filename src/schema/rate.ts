const PER_UNIT: Record<string, number> = { s: 1, m: 1 / 60, h: 1 / 3600 };

/** Parses a rate in requests per second: `200`, `'200/s'`, `'600/m'`. Undefined when malformed. */
export function parseRate(input: string | number): number | undefined {
  if (typeof input === 'number') return Number.isFinite(input) && input > 0 ? input : undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(?:\/\s*(s|m|h))?\s*$/.exec(input);
  if (!m) return undefined;
  const value = Number(m[1]) * (PER_UNIT[m[2] ?? 's'] ?? 1);
  return value > 0 ? value : undefined;
}
