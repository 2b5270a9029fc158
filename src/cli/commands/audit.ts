/** `golive audit`: readiness findings from manifests, a live namespace, or the local platform's config. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { audit, type AuditSources } from '../../audit/audit.js';
import { SEVERITY_RANK, type Severity } from '../../audit/model.js';
import { renderAudit } from '../../audit/render.js';
import { toSarif } from '../../audit/sarif.js';
import { loadConfig, type LoadedConfig } from '../../config/load-config.js';
import { GoliveError } from '../../errors.js';
import { drillsEndangeredBy } from '../../drills/kinds.js';
import { buildDrills } from '../../run/plan.js';
import { clusterAuditSource, configuredVeleroNamespace } from '../../platforms/registry.js';
import { demoConfig } from '../demo.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { CliIo } from '../io.js';

export interface AuditFlags {
  config?: string;
  cluster?: boolean;
  namespace?: string;
  context?: string;
  format: string;
  out?: string;
  failOn: string;
  demo?: boolean;
  demoNaive?: boolean;
}

const drillNeeds = (loaded: LoadedConfig) => buildDrills({ loaded, allowDestroy: true }).map((d) => d.needs);

export async function auditCommand(io: CliIo, paths: string[], o: AuditFlags): Promise<ExitCode> {
  if (!['terminal', 'json', 'sarif'].includes(o.format))
    throw new GoliveError('GOLIVE_USAGE', `--format: expected terminal, json or sarif, received ${JSON.stringify(o.format)}`);
  if (!['error', 'warning', 'info', 'none'].includes(o.failOn))
    throw new GoliveError('GOLIVE_USAGE', `--fail-on: expected error, warning, info or none, received ${JSON.stringify(o.failOn)}`);
  const files = paths.filter((p) => p !== '-');
  const stdin = paths.includes('-') ? await readAll(io.stdin) : undefined;
  const demo = o.demo || o.demoNaive ? demoConfig(io.cwd, Boolean(o.demoNaive)) : undefined;
  const loaded = demo
    ? await loadConfig({ cwd: io.cwd, inline: demo })
    : o.config || (!paths.length && !o.namespace)
      ? await loadConfig({ cwd: io.cwd, ...(o.config ? { file: o.config } : {}) })
      : undefined;
  const p = loaded?.config.platform;
  const namespace = o.namespace ?? (o.cluster && p?.kind === 'kubernetes' ? p.namespace : undefined);
  const k8s = p?.kind === 'kubernetes' ? p : undefined;
  const sources: AuditSources = {
    cwd: io.cwd,
    endangers: drillsEndangeredBy,
    ...(files.length ? { paths: files } : {}),
    ...(stdin !== undefined ? { stdin } : {}),
    ...(namespace
      ? {
          cluster: {
            ...(await clusterAuditSource({
              context: o.context ?? k8s?.context,
              kubeconfig: k8s?.kubeconfig,
              namespace,
              // A config's drills say whether Velero is used (as `golive rbac` grants); a bare namespace is audited for it.
              veleroNamespace: loaded && k8s ? await configuredVeleroNamespace(loaded.config, drillNeeds(loaded)) : 'velero',
            })),
            // With a kubernetes config, the audit notes when the drills would not read the platform's Prometheus.
            ...(k8s && !demo ? { prometheusConfigured: loaded?.config.observe?.prometheus !== undefined } : {}),
          },
        }
      : {}),
    ...(loaded && p?.kind === 'local' ? { local: { platform: p, file: demo ? undefined : loaded.fileLabel, lineOf: loaded.lineOf } } : {}),
  };
  if (!sources.paths && sources.stdin === undefined && !sources.cluster && !sources.local) {
    throw new GoliveError(
      'GOLIVE_USAGE',
      'nothing to audit: give manifest files or folders, - for stdin, --namespace, or a config with a local platform (or kubernetes and --cluster)',
    );
  }
  const { findings, sources: described } = await audit(sources);
  const text =
    o.format === 'sarif'
      ? `${JSON.stringify(toSarif(findings), null, 2)}\n`
      : o.format === 'json'
        ? `${JSON.stringify({ sources: described, findings }, null, 2)}\n`
        : renderAudit(findings, described);
  if (o.out) writeFileSync(path.resolve(io.cwd, o.out), text);
  else io.stdout.write(text);
  const threshold = o.failOn === 'none' ? Infinity : SEVERITY_RANK[o.failOn as Severity];
  return findings.some((f) => SEVERITY_RANK[f.severity] >= threshold) ? EXIT.failed : EXIT.passed;
}

function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    stream.setEncoding('utf8');
    stream.on('data', (d: string) => {
      text += d;
    });
    stream.on('end', () => resolve(text));
    stream.on('error', reject);
  });
}
