/** The audit on a terminal. */
import type { AuditFinding } from './model.js';

/** What no manifest or config shows, so a clean audit is not a clean bill. */
const CANNOT_SEE =
  'What the audit cannot see: how the app behaves on SIGTERM (does it fail readiness, finish requests in flight, close idle keep-alive connections?) and how fast it starts. app-update and node-drain measure that.';

export function renderAudit(findings: AuditFinding[], sources: string[]): string {
  const lines = [`golive audit · ${sources.join(', ')}`, ''];
  if (findings.length === 0) {
    return `${lines.join('\n')}no findings: nothing here would fail a drill by construction.\n${CANNOT_SEE}\n`;
  }
  const byObject = new Map<string, AuditFinding[]>();
  for (const f of findings) byObject.set(f.object, [...(byObject.get(f.object) ?? []), f]);
  for (const [object, list] of byObject) {
    lines.push(object);
    for (const f of list) {
      const mark = f.severity === 'error' ? '✗' : f.severity === 'warning' ? '!' : '·';
      lines.push(`  ${mark} ${f.id} ${f.rule} (${f.severity})${f.location ? `  ${f.location.file}:${f.location.line}` : ''}`);
      lines.push(`      ${f.message}`);
      lines.push(`      endangers: ${f.drills.join(', ')} · why: ${f.why}`);
      lines.push(
        `      fix:\n${f.fix
          .split('\n')
          .map((l) => `        ${l}`)
          .join('\n')}`,
      );
    }
    lines.push('');
  }
  const count = (s: string): number => findings.filter((f) => f.severity === s).length;
  lines.push(`${findings.length} finding(s): ${count('error')} error, ${count('warning')} warning, ${count('info')} info`);
  return `${lines.join('\n')}\n`;
}
