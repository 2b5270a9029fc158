/** app-update on Kubernetes: the change (restart annotation, env, image or the user's deploy command), then `kubectl rollout status` rules. */
import { GoliveError } from '../../errors.js';
import type { RolloutChange } from '../platform.js';
import { rolloutComplete, type K8sScope } from './scope.js';

const RESTART_ANNOTATION = 'kubectl.kubernetes.io/restartedAt';

export async function waitWorkloadReady(s: K8sScope, timeoutMs: number, signal: AbortSignal): Promise<void> {
  if (s.client.dryRun) return;
  await s.until(async () => rolloutComplete(await s.workload()), timeoutMs, signal, `${s.kind} ${s.name} to be available`);
}

export async function rollout(s: K8sScope, change: RolloutChange, timeoutMs: number, signal: AbortSignal): Promise<void> {
  const before = await s.workload();
  const container = before.spec?.template?.spec?.containers?.[0]?.name ?? 'app';
  switch (change.kind) {
    case 'restart':
      s.sink('rollout.started', `pod-template annotation ${RESTART_ANNOTATION} (what kubectl rollout restart does)`);
      await s.client.patchWorkload(
        s.kind,
        s.ns,
        s.name,
        { spec: { template: { metadata: { annotations: { [RESTART_ANNOTATION]: new Date().toISOString() } } } } },
        'restart',
      );
      break;
    case 'env': {
      const previous =
        (before.spec?.template?.spec?.containers?.[0] as { env?: { name: string; value?: string }[] } | undefined)?.env?.find((e) => e.name === change.name)
          ?.value ?? null;
      s.record(
        `set env ${change.name}=${change.value} on ${s.kind} ${s.name}`,
        `kubectl set env ${s.kind.toLowerCase()}/${s.name} -n ${s.ns} ${change.name}${previous === null ? '-' : `=${previous}`}`,
        { op: 'env', kind: s.kind, namespace: s.ns, name: s.name, container, env: change.name, value: previous },
      );
      s.sink('rollout.started', `set env ${change.name}`);
      await s.client.patchWorkload(
        s.kind,
        s.ns,
        s.name,
        { spec: { template: { spec: { containers: [{ name: container, env: [{ name: change.name, value: change.value }] }] } } } },
        `env ${change.name}`,
      );
      break;
    }
    case 'image':
      s.sink('rollout.started', `image ${change.image}`);
      await s.client.patchWorkload(
        s.kind,
        s.ns,
        s.name,
        { spec: { template: { spec: { containers: [{ name: change.container ?? container, image: change.image }] } } } },
        `image ${change.image}`,
      );
      break;
    case 'run':
      s.sink('rollout.started', `deploy command: ${change.command}`);
      await s.hooks.run(change.command, { GOLIVE_NAMESPACE: s.ns }, signal);
      break;
  }
  if (s.client.dryRun) return;
  await s.until(
    async () => {
      const w = await s.workload();
      const stalled = w.status?.conditions?.find((c) => c.type === 'Progressing' && c.reason === 'ProgressDeadlineExceeded');
      if (stalled) throw new GoliveError('GOLIVE_PLATFORM_FAILED', `rollout of ${s.kind} ${s.name} stalled: ${stalled.message ?? 'ProgressDeadlineExceeded'}`);
      return (w.metadata.generation ?? 0) > (before.metadata.generation ?? 0) || change.kind === 'run' ? rolloutComplete(w) : false;
    },
    timeoutMs,
    signal,
    `rollout of ${s.kind} ${s.name} to complete`,
  );
  s.sink('rollout.completed', 'updated, replicas available (kubectl rollout status rules)');
}

export async function scale(s: K8sScope, replicas: number, signal: AbortSignal): Promise<void> {
  const before = (await s.workload()).spec?.replicas ?? 1;
  s.record(`scaled ${s.kind} ${s.name} ${before} → ${replicas}`, `kubectl scale ${s.kind.toLowerCase()}/${s.name} -n ${s.ns} --replicas=${before}`, {
    op: 'scale',
    kind: s.kind,
    namespace: s.ns,
    name: s.name,
    replicas: before,
  });
  s.sink('scale', `${before} → ${replicas} replicas`);
  await s.client.patchWorkload(s.kind, s.ns, s.name, { spec: { replicas } }, `replicas ${replicas}`);
  await waitWorkloadReady(s, 300_000, signal);
}
