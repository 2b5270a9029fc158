/**
 * Reads Kubernetes manifests (files, folders, or `kustomize build` / `helm template` output on stdin) into
 * the audit model, keeping the line of every field for SARIF.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { isNode, LineCounter, parseAllDocuments, type Document } from 'yaml';
import { InputError } from '../errors.js';
import type { AuditContainer, AuditHpa, AuditInput, AuditPdb, AuditWorkload, Location } from './model.js';

/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-argument -- manifests are arbitrary Kubernetes YAML */

export interface ManifestDoc {
  file: string;
  doc: Document;
  lines: LineCounter;
  value: any;
}

export function readManifestFiles(paths: string[], cwd: string): ManifestDoc[] {
  const files: string[] = [];
  const walk = (p: string): void => {
    const st = statSync(p);
    if (st.isDirectory()) for (const e of readdirSync(p).sort()) walk(path.join(p, e));
    else if (/\.ya?ml$/.test(p)) files.push(p);
  };
  for (const p of paths) {
    try {
      walk(path.resolve(cwd, p));
    } catch {
      throw new InputError('GOLIVE_USAGE', p, [{ path: '', message: 'no such file or folder' }]);
    }
  }
  return files.flatMap((f) => parseManifests(readFileSync(f, 'utf8'), path.relative(cwd, f) || f));
}

export function parseManifests(text: string, file: string): ManifestDoc[] {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines });
  const out: ManifestDoc[] = [];
  for (const doc of Array.isArray(docs) ? docs : [docs]) {
    if (doc.errors.length) {
      throw new InputError(
        'GOLIVE_DATA_INVALID',
        file,
        doc.errors.map((e) => ({ path: '', line: lines.linePos(e.pos[0]).line, message: `not valid YAML: ${e.message.split('\n')[0]}` })),
      );
    }
    const value = doc.toJS();
    if (value && typeof value === 'object' && value.kind) out.push({ file, doc, lines, value });
  }
  return out;
}

/** A function from dotted field paths (container names allowed in place of indexes) to file and line. */
function locator(m: ManifestDoc, root: (string | number)[]): (p: string) => Location | undefined {
  return (dotted) => {
    const parts: (string | number)[] = [...root];
    let node: any = m.value;
    for (const p of root) node = node?.[p];
    for (const seg of dotted ? dotted.split('.') : []) {
      if (Array.isArray(node)) {
        const i = node.findIndex((x: any) => x?.name === seg);
        if (i < 0) break;
        parts.push(i);
        node = node[i];
      } else if (node && typeof node === 'object' && seg in node) {
        parts.push(seg);
        node = node[seg];
      } else break;
    }
    // The deepest node that exists: a missing field points at the object that lacks it.
    for (let n = parts.length; n >= 0; n--) {
      const found = m.doc.getIn(parts.slice(0, n), true);
      if (isNode(found) && found.range) return { file: m.file, line: m.lines.linePos(found.range[0]).line };
    }
    return { file: m.file, line: 1 };
  };
}

export function manifestsToAudit(docs: ManifestDoc[], defaultNamespace = 'default'): AuditInput {
  const workloads: AuditWorkload[] = [];
  const pdbs: AuditPdb[] = [];
  const hpas: AuditHpa[] = [];
  const scheduled = new Set<string>();
  let sawSchedule = false;
  for (const m of docs) {
    const v = m.value;
    const ns: string = v.metadata?.namespace ?? defaultNamespace;
    if (v.kind === 'Deployment' || v.kind === 'StatefulSet') workloads.push(workloadFrom(v, ns, locator(m, [])));
    else if (v.kind === 'PodDisruptionBudget')
      pdbs.push({
        name: v.metadata.name,
        namespace: ns,
        selector: v.spec?.selector?.matchLabels ?? {},
        minAvailable: v.spec?.minAvailable,
        maxUnavailable: v.spec?.maxUnavailable,
        at: locator(m, []),
      });
    else if (v.kind === 'HorizontalPodAutoscaler')
      hpas.push({
        name: v.metadata.name,
        namespace: ns,
        target: { kind: v.spec?.scaleTargetRef?.kind, name: v.spec?.scaleTargetRef?.name },
        minReplicas: v.spec?.minReplicas ?? 1,
        at: locator(m, []),
      });
    else if (v.kind === 'Schedule' && String(v.apiVersion).startsWith('velero.io')) {
      sawSchedule = true;
      for (const n of v.spec?.template?.includedNamespaces ?? []) scheduled.add(n);
    }
  }
  return { workloads, pdbs, hpas, ...(sawSchedule ? { veleroScheduledNamespaces: [...scheduled] } : {}) };
}

/** A Deployment or StatefulSet (as JSON, from a manifest or the API) in the audit model. */
export function workloadFrom(v: any, namespace: string, at: (p: string) => Location | undefined): AuditWorkload {
  const pod = v.spec?.template?.spec ?? {};
  const emptyDirs = new Set<string>((pod.volumes ?? []).filter((x: any) => x.emptyDir !== undefined).map((x: any) => x.name));
  const containers: AuditContainer[] = (pod.containers ?? []).map((c: any) => ({
    name: c.name,
    image: c.image,
    imagePullPolicy: c.imagePullPolicy,
    readiness: c.readinessProbe,
    liveness: c.livenessProbe,
    preStop: c.lifecycle?.preStop,
    requests: { cpu: c.resources?.requests?.cpu, memory: c.resources?.requests?.memory },
    limits: { cpu: c.resources?.limits?.cpu, memory: c.resources?.limits?.memory },
    emptyDirMounts: (c.volumeMounts ?? []).filter((m: any) => emptyDirs.has(m.name)).map((m: any) => m.mountPath),
  }));
  const spreadKeys = [
    ...(pod.topologySpreadConstraints ?? []).map((t: any) => t.topologyKey),
    ...(pod.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t: any) => t.topologyKey),
    ...(pod.affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((t: any) => t.podAffinityTerm?.topologyKey),
  ].filter(Boolean);
  const strategy =
    v.kind === 'StatefulSet'
      ? {
          type: (v.spec?.updateStrategy?.type ?? 'RollingUpdate') as 'RollingUpdate' | 'OnDelete',
          maxUnavailable: v.spec?.updateStrategy?.rollingUpdate?.maxUnavailable ?? 1,
          maxSurge: 0,
        }
      : {
          type: (v.spec?.strategy?.type ?? 'RollingUpdate') as 'RollingUpdate' | 'Recreate',
          maxSurge: v.spec?.strategy?.rollingUpdate?.maxSurge,
          maxUnavailable: v.spec?.strategy?.rollingUpdate?.maxUnavailable,
        };
  const declared = v.spec?.template?.metadata?.annotations?.['golive.dev/shutdown-seconds'];
  return {
    kind: v.kind,
    name: v.metadata?.name,
    namespace,
    replicas: v.spec?.replicas ?? 1,
    labels: v.spec?.selector?.matchLabels ?? v.spec?.template?.metadata?.labels ?? {},
    strategy,
    terminationGracePeriodSeconds: pod.terminationGracePeriodSeconds ?? 30,
    declaredShutdownSeconds: declared !== undefined ? Number(declared) : undefined,
    containers,
    spreadKeys,
    persistentVolumeClaims: [
      ...(pod.volumes ?? []).filter((x: any) => x.persistentVolumeClaim).map((x: any) => x.persistentVolumeClaim.claimName),
      ...(v.spec?.volumeClaimTemplates ?? []).map((t: any) => t.metadata?.name),
    ],
    at,
  };
}
