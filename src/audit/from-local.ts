/** The local platform's app config in the audit model: the same rules judge it. */
import type { ResolvedLocalPlatform } from '../platforms/local/schema.js';
import type { AuditInput, Location } from './model.js';

export function localToAudit(p: ResolvedLocalPlatform, file: string | undefined, lineOf: (path: string) => number | undefined = () => undefined): AuditInput {
  const names = Object.keys(p.components);
  const single = names.length === 1 && names[0] === 'app';
  const workloads = Object.entries(p.components).map(([name, c]) =>
    componentToAudit(name, c, single ? 'platform.app' : `platform.components.${name}`, single, file, lineOf),
  );
  return {
    workloads: workloads.map((w) => w.workload),
    pdbs: workloads.flatMap((w) => w.pdbs),
    hpas: [],
  };
}

type Component = ResolvedLocalPlatform['components'][string];

function componentToAudit(
  name: string,
  app: Component,
  base: string,
  single: boolean,
  file: string | undefined,
  lineOf: (path: string) => number | undefined,
): { workload: AuditInput['workloads'][number]; pdbs: AuditInput['pdbs'] } {
  const at = (field: string): Location | undefined => {
    if (!file) return undefined;
    const map: Record<string, string> = {
      'spec.replicas': `${base}.replicas`,
      'spec.strategy.type': `${base}.strategy`,
      'spec.strategy.rollingUpdate.maxUnavailable': `${base}.strategy`,
      'spec.template.spec.topologySpreadConstraints': `${base}.spread`,
      PodDisruptionBudget: `${base}.disruptionBudget`,
    };
    const line = lineOf(map[field] ?? base);
    return line !== undefined ? { file, line } : { file, line: 1 };
  };
  const labels = { app: name };
  const readiness =
    app.readiness.check.kind === 'http'
      ? { path: app.readiness.check.path, period: app.readiness.period, failureThreshold: app.readiness.failureThreshold }
      : app.readiness;
  return {
    workload: {
      kind: 'LocalApp',
      name,
      namespace: 'local',
      replicas: app.replicas,
      labels,
      strategy:
        app.strategy.type === 'Recreate'
          ? { type: 'Recreate' }
          : { type: 'RollingUpdate', maxSurge: app.strategy.maxSurge, maxUnavailable: app.strategy.maxUnavailable },
      terminationGracePeriodSeconds: app.terminationGrace / 1000,
      containers: [{ name, readiness, requests: {}, limits: {}, emptyDirMounts: [] }],
      spreadKeys: app.spread === 'zones' ? ['topology.kubernetes.io/zone', 'kubernetes.io/hostname'] : app.spread === 'nodes' ? ['kubernetes.io/hostname'] : [],
      persistentVolumeClaims: [],
      ...(app.zones ? { pinnedZones: app.zones } : {}),
      at,
    },
    pdbs: app.disruptionBudget
      ? [
          {
            name: single ? 'disruptionBudget' : `${name}-disruptionBudget`,
            namespace: 'local',
            selector: labels,
            minAvailable: app.disruptionBudget.minAvailable,
            at: () => at('PodDisruptionBudget'),
          },
        ]
      : [],
  };
}
