/** The small JSONPath subset checks use: `$`, `.name`, `['name']`, `[index]`. */
export type PathStep = string | number;

const STEP = /\.([A-Za-z_$][\w$-]*)|\[(\d+)\]|\[['"]([^'"]*)['"]\]/y;

/** Returns the steps, or undefined when the path is not of the supported form. */
export function parseJsonPath(path: string): PathStep[] | undefined {
  if (!path.startsWith('$')) return undefined;
  const steps: PathStep[] = [];
  STEP.lastIndex = 1;
  while (STEP.lastIndex < path.length) {
    const m = STEP.exec(path);
    if (!m) return undefined;
    steps.push(m[1] ?? (m[2] !== undefined ? Number(m[2]) : m[3]!));
  }
  return steps;
}

export function readJsonPath(value: unknown, steps: readonly PathStep[]): unknown {
  let current = value;
  for (const step of steps) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[step];
  }
  return current;
}
