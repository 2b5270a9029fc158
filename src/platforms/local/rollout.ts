/** app-update, scale and crashes on the local platform, as the Deployment controller does them. */
import { sleep, throwIfAborted } from '../../abortable.js';
import { GoliveError } from '../../errors.js';
import type { RolloutChange } from '../platform.js';
import { POLL_MS, type ReplicaSet } from './replica-set.js';

export async function rollout(rs: ReplicaSet, change: RolloutChange, timeoutMs: number, signal: AbortSignal): Promise<void> {
  switch (change.kind) {
    case 'restart':
      break;
    case 'env':
      rs.extraEnv = { ...rs.extraEnv, [change.name]: change.value };
      break;
    case 'image':
      throw new GoliveError('GOLIVE_USAGE', "the local platform runs a command, not an image: use change: { kind: 'restart' } or { kind: 'env', ... }");
    case 'run':
      throw new GoliveError('GOLIVE_USAGE', 'the local platform cannot run a deploy command: use restart or env');
  }
  rs.revision++;
  const strategy = rs.spec.strategy;
  rs.sink(
    'rollout.started',
    `revision ${rs.revision} (${strategy.type}${strategy.type === 'RollingUpdate' ? `, maxSurge ${strategy.maxSurge}, maxUnavailable ${strategy.maxUnavailable}` : ''})`,
  );
  rs.pause('rollout');
  try {
    const deadline = Date.now() + timeoutMs;
    if (strategy.type === 'Recreate') {
      await Promise.all(rs.old().map((r) => r.terminate(rs.spec.terminationGrace)));
      for (let i = 0; i < rs.desired; i++) await rs.startReplica();
    } else {
      await rollingUpdate(rs, strategy.maxSurge, strategy.maxUnavailable, deadline, signal);
    }
    await rs.waitReady(Math.max(0, deadline - Date.now()), signal);
  } finally {
    await rs.resume('rollout');
  }
  rs.sink('rollout.completed', `revision ${rs.revision}: ${rs.readyCount()} ready`);
}

async function rollingUpdate(rs: ReplicaSet, maxSurge: number, maxUnavailable: number, deadline: number, signal: AbortSignal): Promise<void> {
  for (;;) {
    throwIfAborted(signal, 'rolling out');
    if (Date.now() > deadline)
      throw new GoliveError('GOLIVE_PLATFORM_FAILED', `rollout did not complete in time: ${rs.readyCount()} ready, ${rs.old().length} old replicas left`);
    // Terminating replicas are on their way out: like Kubernetes, surge counts only the others.
    const old = rs.old().filter((r) => r.state !== 'terminating');
    const fresh = rs.current();
    if (rs.old().length === 0 && fresh.filter((r) => r.state === 'ready').length >= rs.desired) return;
    const toStart = Math.min(rs.desired - fresh.length, rs.desired + maxSurge - (old.length + fresh.length));
    for (let i = 0; i < toStart; i++) await rs.startReplica();
    let canRemove = rs.alive().filter((r) => r.state === 'ready').length - (rs.desired - maxUnavailable);
    for (const r of rs.removalOrder(old)) {
      const wasReady = r.state === 'ready';
      if (wasReady && canRemove <= 0) break;
      if (wasReady) canRemove--;
      void r.terminate(rs.spec.terminationGrace);
    }
    await sleep(POLL_MS, signal, 'rolling out');
  }
}

export async function scale(rs: ReplicaSet, replicas: number, signal: AbortSignal): Promise<void> {
  rs.sink('scale', `${rs.desired} → ${replicas} replicas`);
  rs.desired = replicas;
  const extra = rs.current().slice(replicas);
  await Promise.all(extra.map((r) => r.terminate(rs.spec.terminationGrace)));
  await rs.reconcile();
  await rs.waitReady(rs.spec.startTimeout, signal);
}

export async function killReplicas(rs: ReplicaSet, count: number): Promise<void> {
  const victims = rs
    .alive()
    .filter((r) => r.state !== 'terminating')
    .slice(0, count);
  rs.sink('replicas.killed', `SIGKILL to ${victims.map((r) => r.spec.id).join(', ')}`);
  await Promise.all(victims.map((r) => r.kill()));
  await rs.reconcile(); // crashed replicas are replaced, as a ReplicaSet would
}
