/** SARIF 2.1.0 for GitHub code scanning: one rule per finding kind, results with file and line. */
import { VERSION } from '../version.js';
import type { AuditFinding } from './model.js';

const LEVEL = { error: 'error', warning: 'warning', info: 'note' } as const;

export function toSarif(findings: AuditFinding[]): object {
  const ruleIds = [...new Set(findings.map((f) => f.id))].sort();
  const rules = ruleIds.map((id) => {
    const sample = findings.find((f) => f.id === id)!;
    return {
      id,
      name: sample.rule,
      shortDescription: { text: sample.rule.replace(/-/g, ' ') },
      fullDescription: { text: sample.why },
      help: {
        text: `${sample.why}\nFix:\n${sample.fix}`,
        markdown: `${sample.why}\n\n**Drills it endangers:** ${sample.drills.join(', ')}\n\n\`\`\`yaml\n${sample.fix}\n\`\`\``,
      },
      defaultConfiguration: { level: LEVEL[sample.severity] },
      properties: { drills: sample.drills, tags: ['reliability', ...sample.drills.map((d) => `golive-${d}`)] },
    };
  });
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'golive', version: VERSION, rules } },
        results: findings.map((f) => ({
          ruleId: f.id,
          ruleIndex: ruleIds.indexOf(f.id),
          level: LEVEL[f.severity],
          message: { text: `${f.object}: ${f.message}. Endangers: ${f.drills.join(', ')}.` },
          ...(f.location
            ? {
                locations: [{ physicalLocation: { artifactLocation: { uri: f.location.file.split('\\').join('/') }, region: { startLine: f.location.line } } }],
              }
            : {}),
          properties: { object: f.object, field: f.field, drills: f.drills },
        })),
      },
    ],
  };
}
