/**
 * GL022: manifests that use what the target server does not serve yet. An API version it lacks is refused
 * at apply; an unknown field is dropped without a word (kubectl refuses it only when it validates), so a pod
 * can run without its preStop pause or its spread rule and a drill fails for a reason nobody sees.
 */
import type { ManifestDoc } from './from-manifests.js';
import type { AuditFinding, Endangers } from './model.js';
import { minorOf, SERVED_FROM } from './served-from.js';

/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call -- manifests are arbitrary Kubernetes YAML */

interface Need {
  /** First minor version of 1.x that serves it (on by default). */
  minor: number;
  what: string;
  effect: string;
  fix: string;
}

const PRESTOP_SLEEP: Need = {
  minor: SERVED_FROM.preStopSleep,
  what: 'the preStop sleep action',
  effect: 'the server drops it: the pods get no pause before SIGTERM and requests routed to them while Endpoints update fail',
  fix: 'preStop: { exec: { command: [sleep, "5"] } } (the image needs a sleep binary)',
};
const MATCH_LABEL_KEYS: Need = {
  minor: SERVED_FROM.matchLabelKeys,
  what: 'topologySpreadConstraints matchLabelKeys',
  effect: 'the server drops it: old and new pods of a rollout are spread together, so a zone can end up with all new pods',
  fix: 'remove matchLabelKeys for this server (the spread then counts every pod of the selector)',
};

/** Pod specs of a manifest, with their path in the document. */
function podSpecs(value: any): { spec: any; path: (string | number)[] }[] {
  switch (value.kind) {
    case 'Pod':
      return [{ spec: value.spec, path: ['spec'] }];
    case 'CronJob':
      return [{ spec: value.spec?.jobTemplate?.spec?.template?.spec, path: ['spec', 'jobTemplate', 'spec', 'template', 'spec'] }];
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'ReplicaSet':
    case 'Job':
      return [{ spec: value.spec?.template?.spec, path: ['spec', 'template', 'spec'] }];
    default:
      return [];
  }
}

export function fieldsTheServerLacks(docs: ManifestDoc[], serverVersion: string, endangers: Endangers): AuditFinding[] {
  const server = minorOf(serverVersion);
  if (server === undefined) return [];
  const findings: AuditFinding[] = [];
  for (const m of docs) {
    const v = m.value;
    const object = `${v.kind} ${v.metadata?.namespace ? `${v.metadata.namespace}/` : ''}${v.metadata?.name ?? ''}`;
    const lineOf = (p: (string | number)[]): { file: string; line: number } | undefined => {
      const node = m.doc.getIn(p, true) as { range?: [number, number, number] } | undefined;
      const pos = node?.range?.[0] ?? (m.doc.contents as { range?: [number, number, number] } | null)?.range?.[0];
      return pos === undefined ? undefined : { file: m.file, line: m.lines.linePos(pos).line };
    };
    const add = (need: Need, field: (string | number)[], extra = ''): void => {
      if (server >= need.minor) return;
      findings.push({
        id: 'GL022',
        rule: 'not-served-by-this-server',
        severity: 'error',
        object,
        field: field.join('.'),
        location: lineOf(field),
        drills: endangers('GL022'),
        message: `${need.what} needs Kubernetes 1.${need.minor}; the server is ${serverVersion}${extra}`,
        why: need.effect,
        fix: need.fix,
      });
    };
    if (v.kind === 'PodDisruptionBudget' && v.apiVersion === 'policy/v1')
      add(
        {
          minor: SERVED_FROM.pdbPolicyV1,
          what: 'PodDisruptionBudget policy/v1',
          effect: 'the server refuses it (no matches for kind): the workload has no disruption budget and a drain can take every replica',
          fix: 'apiVersion: policy/v1beta1 (same fields) for this server',
        },
        ['apiVersion'],
      );
    if (v.kind === 'HorizontalPodAutoscaler' && v.apiVersion === 'autoscaling/v2')
      add(
        {
          minor: SERVED_FROM.hpaAutoscalingV2,
          what: 'HorizontalPodAutoscaler autoscaling/v2',
          effect: 'the server refuses it: the workload does not scale under load',
          fix: 'apiVersion: autoscaling/v2beta2 (same fields) for this server',
        },
        ['apiVersion'],
      );
    for (const { spec, path } of podSpecs(v)) {
      if (!spec) continue;
      (spec.containers ?? []).forEach((c: any, i: number) => {
        for (const hook of ['preStop', 'postStart'])
          if (c?.lifecycle?.[hook]?.sleep !== undefined) add(PRESTOP_SLEEP, [...path, 'containers', i, 'lifecycle', hook, 'sleep'], ` (container ${c.name})`);
      });
      (spec.topologySpreadConstraints ?? []).forEach((t: any, i: number) => {
        if (t?.matchLabelKeys !== undefined) add(MATCH_LABEL_KEYS, [...path, 'topologySpreadConstraints', i, 'matchLabelKeys']);
      });
    }
  }
  return findings;
}
