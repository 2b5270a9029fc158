/** app-update on Kubernetes: the change (restart annotation, env, image or the user's deploy command), then `kubectl rollout status` rules. */
import { GoliveError } from '../../errors.js';
import type { RolloutChange } from '../platform.js';
import type { K8sScope } from './scope.js';
import { label, listWorkloads, rolloutComplete, sameWorkload, servingPods, workloadAvailable, type SystemWorkload } from './system.js';

const RESTART_ANNOTATION = 'kubectl.kubernetes.io/restartedAt';

/** A workload that was not available: how many of its pods served, of how many it wants (undefined: the workload is not there). */
export interface Shortfall {
  workload: SystemWorkload;
  serving: number;
  want: number | undefined;
}

export const describeShortfall = (f: Shortfall): string =>
  f.want === undefined ? `${label(f.workload)} not there` : `${label(f.workload)} ${f.serving} of ${f.want} Ready`;

/**
 * Resolves when every one of `workloads` is available (rollout complete and its pods Ready); returns what
 * was short at the first look, so a caller can say what it waited for. A timeout names what is still short.
 */
export async function waitAvailable(s: K8sScope, workloads: readonly SystemWorkload[], timeoutMs: number, signal: AbortSignal): Promise<Shortfall[]> {
  if (s.client.dryRun || workloads.length === 0) return [];
  const kinds = [...new Set(workloads.map((w) => w.kind))];
  let first: Shortfall[] | undefined;
  let short: Shortfall[] = [];
  await s.until(
    async () => {
      const present = await listWorkloads(s.client, s.ns, kinds);
      const pods = (await s.client.listPods(s.ns)).items;
      short = workloads.flatMap((w) => {
        const live = present.find((p) => sameWorkload(p, w));
        if (live && workloadAvailable(live, w.kind, pods)) return [];
        return [{ workload: w, serving: servingPods(pods, w), want: live ? (live.spec?.replicas ?? 1) : undefined }];
      });
      first ??= short;
      return short.length === 0;
    },
    timeoutMs,
    signal,
    () => `${workloads.map(label).join(', ')} to be available (${short.map(describeShortfall).join(', ') || 'not read yet'})`,
  );
  return first ?? [];
}

export async function rollout(s: K8sScope, w: SystemWorkload, change: RolloutChange, timeoutMs: number, signal: AbortSignal): Promise<void> {
  const before = await s.get(w);
  const container = before.spec?.template?.spec?.containers?.[0]?.name ?? 'app';
  const { kind, name } = w;
  switch (change.kind) {
    case 'restart':
      s.sink('rollout.started', `pod-template annotation ${RESTART_ANNOTATION} (what kubectl rollout restart does)`, name);
      await s.client.patchWorkload(
        kind,
        s.ns,
        name,
        { spec: { template: { metadata: { annotations: { [RESTART_ANNOTATION]: new Date().toISOString() } } } } },
        'restart',
      );
      break;
    case 'env': {
      const previous =
        (before.spec?.template?.spec?.containers?.[0] as { env?: { name: string; value?: string }[] } | undefined)?.env?.find((e) => e.name === change.name)
          ?.value ?? null;
      s.record(
        `set env ${change.name}=${change.value} on ${kind} ${name}`,
        `kubectl set env ${kind.toLowerCase()}/${name} -n ${s.ns} ${change.name}${previous === null ? '-' : `=${previous}`}`,
        { op: 'env', kind, namespace: s.ns, name, container, env: change.name, value: previous },
      );
      s.sink('rollout.started', `set env ${change.name}`, name);
      await s.client.patchWorkload(
        kind,
        s.ns,
        name,
        { spec: { template: { spec: { containers: [{ name: container, env: [{ name: change.name, value: change.value }] }] } } } },
        `env ${change.name}`,
      );
      break;
    }
    case 'image':
      s.sink('rollout.started', `image ${change.image}`, name);
      await s.client.patchWorkload(
        kind,
        s.ns,
        name,
        { spec: { template: { spec: { containers: [{ name: change.container ?? container, image: change.image }] } } } },
        `image ${change.image}`,
      );
      break;
    case 'run':
      s.sink('rollout.started', `deploy command: ${change.command}`, name);
      await s.hooks.run(change.command, { GOLIVE_NAMESPACE: s.ns, GOLIVE_COMPONENT: name }, signal);
      break;
  }
  if (s.client.dryRun) return;
  await s.until(
    async () => {
      const now = await s.get(w);
      const stalled = now.status?.conditions?.find((c) => c.type === 'Progressing' && c.reason === 'ProgressDeadlineExceeded');
      if (stalled) throw new GoliveError('GOLIVE_PLATFORM_FAILED', `rollout of ${kind} ${name} stalled: ${stalled.message ?? 'ProgressDeadlineExceeded'}`);
      return (now.metadata.generation ?? 0) > (before.metadata.generation ?? 0) || change.kind === 'run' ? rolloutComplete(now) : false;
    },
    timeoutMs,
    signal,
    `rollout of ${kind} ${name} to complete`,
  );
  s.sink('rollout.completed', 'updated, replicas available (kubectl rollout status rules)', name);
}

export async function scale(s: K8sScope, w: SystemWorkload, replicas: number, signal: AbortSignal): Promise<void> {
  const { kind, name } = w;
  const before = (await s.get(w)).spec?.replicas ?? 1;
  s.record(`scaled ${kind} ${name} ${before} → ${replicas}`, `kubectl scale ${kind.toLowerCase()}/${name} -n ${s.ns} --replicas=${before}`, {
    op: 'scale',
    kind,
    namespace: s.ns,
    name,
    replicas: before,
  });
  s.sink('scale', `${before} → ${replicas} replicas`, name);
  await s.client.patchWorkload(kind, s.ns, name, { spec: { replicas } }, `replicas ${replicas}`);
  await waitAvailable(s, [w], 300_000, signal);
}
