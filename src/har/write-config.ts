/** The imported journey as a golive config file: TypeScript, YAML or JSON, by the file's extension. */
import path from 'node:path';
import { stringify } from 'yaml';
import type { ImportResult } from './to-journey.js';

export function configText(result: ImportResult, file: string): string {
  const config = {
    name: 'recorded',
    target: { url: result.origin },
    load: { rate: 1, duration: '30s', journeys: [result.journey] },
    drills: { capacity: { objectives: { maxFailedJourneys: 0 } } },
  };
  const ext = path.extname(file).toLowerCase();
  const header = `golive config from a recorded session (golive har import): ${result.journey.steps.length} steps, ${result.variables.length} values correlated`;
  if (ext === '.json') return `${JSON.stringify(config, null, 2)}\n`;
  if (ext === '.yaml' || ext === '.yml') return `# ${header}\n${stringify(config, { lineWidth: 0 })}`;
  // JSON is a TypeScript object literal; keys that are identifiers lose their quotes, as people write them.
  const literal = JSON.stringify(config, null, 2).replace(/^(\s*)"([A-Za-z_$][\w$]*)":/gm, '$1$2:');
  return `// ${header}\nimport { defineConfig } from 'golive';\n\nexport default defineConfig(${literal});\n`;
}

export const CONFIG_EXTENSIONS = ['.ts', '.mts', '.js', '.mjs', '.json', '.yaml', '.yml'];
