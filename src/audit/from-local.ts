/** The local platform's app config in the audit model: the same rules judge it. */
import type { ResolvedLocalPlatform } from '../platforms/local/schema.js';
import type { AuditInput, Location } from './model.js';

export function localToAudit(p: ResolvedLocalPlatform, file: string | undefined, lineOf: (path: string) => number | undefined = () => undefined): AuditInput {
  const app = p.app;
  const at = (field: string): Location | undefined => {
    if (!file) return undefined;
    const map: Record<string, string> = {
      'spec.replicas': 'platform.app.replicas',
      'spec.strategy.type': 'platform.app.strategy',
      'spec.strategy.rollingUpdate.maxUnavailable': 'platform.app.strategy',
      'spec.template.spec.topologySpreadConstraints': 'platform.app.spread',
      PodDisruptionBudget: 'platform.app.disruptionBudget',
    };
    const line = lineOf(map[field] ?? 'platform.app');
    return line !== undefined ? { file, line } : { file, line: 1 };
  };
  const labels = { app: 'app' };
  return {
    workloads: [
      {
        kind: 'LocalApp',
        name: 'app',
        namespace: 'local',
        replicas: app.replicas,
        labels,
        strategy:
          app.strategy.type === 'Recreate'
            ? { type: 'Recreate' }
            : { type: 'RollingUpdate', maxSurge: app.strategy.maxSurge, maxUnavailable: app.strategy.maxUnavailable },
        terminationGracePeriodSeconds: app.terminationGrace / 1000,
        containers: [{ name: 'app', readiness: app.readiness, requests: {}, limits: {}, emptyDirMounts: [] }],
        spreadKeys:
          app.spread === 'zones' ? ['topology.kubernetes.io/zone', 'kubernetes.io/hostname'] : app.spread === 'nodes' ? ['kubernetes.io/hostname'] : [],
        persistentVolumeClaims: [],
        at,
      },
    ],
    pdbs: app.disruptionBudget
      ? [
          {
            name: 'disruptionBudget',
            namespace: 'local',
            selector: labels,
            minAvailable: app.disruptionBudget.minAvailable,
            at: () => at('PodDisruptionBudget'),
          },
        ]
      : [],
    hpas: [],
  };
}
