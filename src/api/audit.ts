/** `audit()`: what would fail a drill, before running it: from manifests, a live namespace, or the local platform's config. */
import { audit as runAudit, type AuditSources } from '../audit/audit.js';
import { SEVERITY_RANK, type AuditFinding, type Severity } from '../audit/model.js';
import { renderAudit } from '../audit/render.js';
import { toSarif } from '../audit/sarif.js';
import { loadConfig, type LoadedConfig } from '../config/load-config.js';
import type { GoliveConfigInput } from '../config/schema.js';
import { drillsEndangeredBy } from '../drills/kinds.js';
import { GoliveError } from '../errors.js';
import { clusterAuditSource, configuredVeleroNamespace } from '../platforms/registry.js';
import { buildDrills } from '../run/plan.js';

export type { AuditFinding, Severity } from '../audit/model.js';

export interface AuditOptions {
  /** What relative paths are resolved against, and where golive.config.* is looked for. @default process.cwd() */
  cwd?: string;
  /** Manifest files or folders. */
  paths?: string[];
  /** Manifests as text (`kustomize build` output). */
  manifests?: string;
  /** A config file: its local platform, or with `cluster` its kubernetes namespace. Without paths, manifests or a namespace, golive.config.* in cwd. */
  configFile?: string;
  /** A config object instead of a file. */
  config?: GoliveConfigInput;
  /** Also read the config's kubernetes namespace from the cluster. */
  cluster?: boolean;
  /** Read this namespace from the cluster (the current context, or `context`). */
  namespace?: string;
  /** kubeconfig context. */
  context?: string;
  /** How `text` is written. @default 'terminal' */
  format?: 'terminal' | 'json' | 'sarif';
  /** `failed` when a finding at or above this severity exists. @default 'error' */
  failOn?: Severity | 'none';
}

export interface AuditOutcome {
  findings: AuditFinding[];
  /** What was read, in words. */
  sources: string[];
  /** The report in the format asked for. */
  text: string;
  /** A finding at or above `failOn` exists. */
  failed: boolean;
}

const drillNeeds = (loaded: LoadedConfig) => buildDrills({ loaded, allowDestroy: true }).map((d) => d.needs);

export async function audit(options: AuditOptions = {}): Promise<AuditOutcome> {
  const cwd = options.cwd ?? process.cwd();
  const paths = options.paths ?? [];
  const loaded =
    options.config !== undefined
      ? await loadConfig({ cwd, inline: options.config })
      : options.configFile || (!paths.length && options.manifests === undefined && !options.namespace)
        ? await loadConfig({ cwd, ...(options.configFile ? { file: options.configFile } : {}) })
        : undefined;
  const p = loaded?.config.platform;
  const namespace = options.namespace ?? (options.cluster && p?.kind === 'kubernetes' ? p.namespace : undefined);
  const k8s = p?.kind === 'kubernetes' ? p : undefined;
  const sources: AuditSources = {
    cwd,
    endangers: drillsEndangeredBy,
    ...(paths.length ? { paths } : {}),
    ...(options.manifests !== undefined ? { stdin: options.manifests } : {}),
    ...(namespace
      ? {
          cluster: {
            ...(await clusterAuditSource({
              context: options.context ?? k8s?.context,
              kubeconfig: k8s?.kubeconfig,
              namespace,
              // A config's drills say whether Velero is used (as `golive rbac` grants); a bare namespace is audited for it.
              veleroNamespace: loaded && k8s ? await configuredVeleroNamespace(loaded.config, drillNeeds(loaded)) : 'velero',
            })),
            // With a kubernetes config, the audit notes when the drills would not read the platform's Prometheus.
            ...(k8s ? { prometheusConfigured: loaded?.config.observe?.prometheus !== undefined } : {}),
          },
        }
      : {}),
    ...(loaded && p?.kind === 'local' ? { local: { platform: p, file: loaded.fileLabel, lineOf: loaded.lineOf } } : {}),
  };
  if (!sources.paths && sources.stdin === undefined && !sources.cluster && !sources.local) {
    throw new GoliveError(
      'GOLIVE_USAGE',
      'nothing to audit: give manifest files or folders, - for stdin, --namespace, or a config with a local platform (or kubernetes and --cluster)',
    );
  }
  const { findings, sources: described } = await runAudit(sources);
  const format = options.format ?? 'terminal';
  const text =
    format === 'sarif'
      ? `${JSON.stringify(toSarif(findings), null, 2)}\n`
      : format === 'json'
        ? `${JSON.stringify({ sources: described, findings }, null, 2)}\n`
        : renderAudit(findings, described);
  const failOn = options.failOn ?? 'error';
  const threshold = failOn === 'none' ? Infinity : SEVERITY_RANK[failOn];
  return { findings, sources: described, text, failed: findings.some((f) => SEVERITY_RANK[f.severity] >= threshold) };
}
