/** Gathers the audit's sources (manifests, a live namespace, the local platform's config) and runs the rules. */
import type { ClusterReader } from './cluster-reader.js';
import type { ResolvedLocalPlatform } from '../platforms/local/schema.js';
import { clusterToAudit } from './from-cluster.js';
import { localToAudit } from './from-local.js';
import { manifestsToAudit, parseManifests, readManifestFiles, type ManifestDoc } from './from-manifests.js';
import type { AuditFinding, AuditInput, Endangers } from './model.js';
import { runRules } from './rules.js';
import { fieldsTheServerLacks } from './server-fields.js';

export interface AuditSources {
  cwd: string;
  /** The drills each finding endangers (from the drill kinds' registry). */
  endangers: Endangers;
  paths?: string[];
  /** Manifests piped in (`kustomize build | golive audit -`). */
  stdin?: string;
  cluster?: {
    client: ClusterReader;
    namespace: string;
    /** Where Velero's backup schedules are read (GL017); absent, they are not. */
    veleroNamespace?: string;
    /** From the config: does golive read the platform's Prometheus during drills? (undefined: no config) */
    prometheusConfigured?: boolean;
  };
  local?: { platform: ResolvedLocalPlatform; file: string | undefined; lineOf: (path: string) => number | undefined };
}

export async function audit(s: AuditSources): Promise<{ findings: AuditFinding[]; sources: string[] }> {
  const sources: string[] = [];
  const docs: ManifestDoc[] = [];
  if (s.paths?.length) {
    docs.push(...readManifestFiles(s.paths, s.cwd));
    sources.push(`manifests ${s.paths.join(', ')}`);
  }
  if (s.stdin !== undefined) {
    docs.push(...parseManifests(s.stdin, '<stdin>'));
    sources.push('manifests on stdin');
  }
  const inputs: AuditInput[] = [];
  const versionFindings: AuditFinding[] = [];
  const fromFiles = docs.length ? manifestsToAudit(docs, s.cluster?.namespace) : undefined;
  if (s.cluster) {
    const version = await s.cluster.client.serverVersion().catch(() => null);
    const live = { ...(await clusterToAudit(s.cluster.client, s.cluster.namespace, s.cluster.veleroNamespace)), serverVersion: version ?? undefined };
    sources.push(`cluster ${s.cluster.client.context}${version ? ` (Kubernetes ${version})` : ''}, namespace ${s.cluster.namespace}`);
    // Manifests meant for this server: what it does not serve yet is dropped or refused when applied.
    if (docs.length && version) versionFindings.push(...fieldsTheServerLacks(docs, version, s.endangers));
    const declared = new Set(
      docs.map((d) => {
        const v = d.value as { kind: string; metadata?: { name?: string; namespace?: string } };
        return `${v.kind}/${v.metadata?.namespace ?? s.cluster!.namespace}/${v.metadata?.name ?? ''}`;
      }),
    );
    // With manifests, they are the truth about workloads (with lines); the cluster adds capacity and what nobody declared.
    inputs.push(
      fromFiles
        ? {
            ...fromFiles,
            nodes: live.nodes,
            serverVersion: live.serverVersion,
            ...(live.veleroScheduledNamespaces ? { veleroScheduledNamespaces: live.veleroScheduledNamespaces } : {}),
            undeclared: live.live.filter((o) => !declared.has(o)),
          }
        : live,
    );
  } else if (fromFiles) {
    inputs.push(fromFiles);
  }
  if (s.local) {
    inputs.push(localToAudit(s.local.platform, s.local.file, s.local.lineOf));
    sources.push(`local platform${s.local.file ? ` in ${s.local.file}` : ''}`);
  }
  const findings = [...inputs.flatMap((input) => runRules(input, s.endangers)), ...versionFindings];
  if (s.cluster?.prometheusConfigured === false) {
    findings.push({
      id: 'GL021',
      rule: 'platform-not-observed',
      severity: 'info',
      object: `namespace ${s.cluster.namespace}`,
      field: 'observe.prometheus',
      drills: s.endangers('GL021'),
      message: "no Prometheus is configured: drills judge what users saw, not the platform's own signals",
      why: 'A drill can pass while a node runs at 98 % CPU, the log pipeline drops lines or a database pool is exhausted: golive sees only the workload and its users.',
      fix: `observe: { prometheus: { url: 'http://prometheus.monitoring:9090', components: [{ name: 'logging', selector: '{namespace="logging"}' }] } }`,
    });
  }
  return { findings, sources };
}
