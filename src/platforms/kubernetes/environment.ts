/**
 * The namespace as a whole: backups and restores with Velero, destroying it (disaster-recovery), and a
 * redeploy from a clean clone with the user's deploy command.
 */
import { homedir } from 'node:os';
import path from 'node:path';
import { GoliveError } from '../../errors.js';
import { removeOwnedTempDir } from '../../safety/owned-temp-dir.js';
import type { DeployOptions } from '../platform.js';
import { cloneAtHead, removeClone } from '../shared/clone.js';
import { makeColdCaches } from '../shared/cold-caches.js';
import { PROTECTED_NAMESPACES } from './schema.js';
import type { K8sScope } from './scope.js';
import { rolloutComplete } from './system.js';

export async function backup(s: K8sScope, signal: AbortSignal): Promise<string> {
  const velero = s.config.veleroNamespace;
  if (!(await s.client.hasResource('velero.io', 'v1', 'backups', velero))) {
    throw new GoliveError(
      'GOLIVE_PLATFORM_UNSUPPORTED',
      `Velero is not installed (no backups.velero.io in namespace ${velero}): install it, or use backup: { run, destroy, restore } hooks`,
    );
  }
  const name = `golive-${s.ns}-${Date.now()}`;
  await s.client.createCustom('velero.io', 'v1', velero, 'backups', {
    apiVersion: 'velero.io/v1',
    kind: 'Backup',
    metadata: { name, namespace: velero },
    spec: { includedNamespaces: [s.ns] },
  });
  s.sink('backup.started', `Velero Backup ${velero}/${name} of namespace ${s.ns}`);
  await waitVelero(s, 'backups', name, signal);
  s.sink('backup.completed', `Velero Backup ${name} Completed`, name);
  return name;
}

export async function restore(s: K8sScope, backupId: string, signal: AbortSignal): Promise<void> {
  const velero = s.config.veleroNamespace;
  const name = `${backupId}-restore`;
  await s.client.createCustom('velero.io', 'v1', velero, 'restores', {
    apiVersion: 'velero.io/v1',
    kind: 'Restore',
    metadata: { name, namespace: velero },
    spec: { backupName: backupId },
  });
  s.sink('restore.started', `Velero Restore ${name} from ${backupId}`);
  await waitVelero(s, 'restores', name, signal);
  s.sink('restore.completed', `Velero Restore ${name} Completed`);
}

async function waitVelero(s: K8sScope, plural: 'backups' | 'restores', name: string, signal: AbortSignal): Promise<void> {
  if (s.client.dryRun) return;
  const what = plural.slice(0, -1);
  await s.until(
    async () => {
      const phase = (await s.client.getCustom('velero.io', 'v1', s.config.veleroNamespace, plural, name)).status?.phase;
      if (phase === 'Failed' || phase === 'PartiallyFailed' || phase === 'FailedValidation')
        throw new GoliveError('GOLIVE_PLATFORM_FAILED', `Velero ${what} ${name} ended ${phase}: see \`velero ${what} describe ${name} --details\``);
      return phase === 'Completed';
    },
    1_800_000,
    signal,
    `Velero ${what} ${name} to complete`,
  );
}

export async function destroyNamespace(s: K8sScope, allowDestroy: boolean, signal: AbortSignal): Promise<void> {
  if (!allowDestroy) throw new GoliveError('GOLIVE_USAGE', `deleting namespace ${s.ns} needs consent: --allow-destroy`);
  if (PROTECTED_NAMESPACES.includes(s.ns)) throw new GoliveError('GOLIVE_USAGE', `refusing to delete namespace ${s.ns}`);
  s.sink('destroy', `deleting namespace ${s.ns}`);
  await s.client.deleteNamespace(s.ns);
  if (!s.client.dryRun) await s.until(async () => !(await s.client.namespaceExists(s.ns)), 600_000, signal, `namespace ${s.ns} to be gone`);
  s.sink('destroy.done', `namespace ${s.ns} is gone`);
}

export async function deployFromRepo(s: K8sScope, options: DeployOptions, baseDir: string, signal: AbortSignal): Promise<void> {
  if (!options.command)
    throw new GoliveError('GOLIVE_USAGE', "redeploy on kubernetes needs a deploy command: redeploy: { command: 'kubectl apply -k deploy/' }");
  const clone = await cloneAtHead(path.resolve(baseDir, options.repo), s.journal);
  const cold = options.coldCaches ? makeColdCaches(s.journal) : undefined;
  try {
    s.sink('deploy.clone', `git clone ${clone.top} at HEAD (committed files only) → ${clone.dir}`);
    s.sink('deploy.command', options.command);
    await s.hooks.run(
      options.command,
      {
        ...cold?.env,
        GOLIVE_NAMESPACE: s.ns,
        // With a fresh HOME, kubectl must still find the kubeconfig golive uses.
        KUBECONFIG: s.kubeconfig ?? process.env['KUBECONFIG'] ?? path.join(homedir(), '.kube', 'config'),
        ...(s.client.context ? { GOLIVE_KUBE_CONTEXT: s.client.context } : {}),
      },
      signal,
      clone.dir,
      'deploy command',
    );
  } finally {
    removeClone(clone, s.journal);
    if (cold) {
      removeOwnedTempDir(cold.dir, s.journal.runId);
      s.journal.markUndone(cold.entry);
    }
  }
  if (s.client.dryRun) return;
  await s.until(
    async () => {
      if (!(await s.client.namespaceExists(s.ns))) return false;
      const all = [...(await s.client.listDeployments(s.ns)), ...(await s.client.listStatefulSets(s.ns))];
      return all.length > 0 && all.every(rolloutComplete);
    },
    1_800_000,
    signal,
    `every Deployment and StatefulSet in ${s.ns} to be available`,
  );
}
