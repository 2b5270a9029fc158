/**
 * The platforms golive knows, loaded lazily: a run on the local platform (or `golive --help`) never loads
 * the Kubernetes client library. Everything outside platforms/ reaches an implementation through here.
 */
import type { AuditSources } from '../audit/audit.js';
import type { ResolvedConfig } from '../config/schema.js';
import type { Undoers } from '../safety/undoers.js';
import { VERSION } from '../version.js';
import type { ResolvedKubernetesPlatform } from './kubernetes/schema.js';
import type { DrillNeeds, PlannedHookRunner, PlannedPlatform, Platform, PlatformServices } from './platform.js';

export interface PlatformEnvironment extends PlatformServices {
  /** What the drills that will run need: the kubernetes platform checks permissions for these. */
  needs: DrillNeeds[];
  allowDestroy: boolean;
  /** Overrides the config's kube context (--context). */
  context?: string | undefined;
  onMutation?: (description: string) => void;
  /** Where the config came from, for the audit's file and line. */
  configSource: { file: string | undefined; lineOf: (path: string) => number | undefined };
}

/** A dry run's platform is given a hook runner that cannot run anything. */
export interface PlannedPlatformEnvironment extends Omit<PlatformEnvironment, 'hooks'> {
  hooks: PlannedHookRunner;
}

/** The platform that acts: starts the application (local) or changes the cluster (kubernetes). */
export async function createPlatform(config: ResolvedConfig, env: PlatformEnvironment): Promise<Platform | undefined> {
  const p = config.platform;
  if (!p) return undefined;
  switch (p.kind) {
    case 'local': {
      const { LocalPlatform } = await import('./local/local-platform.js');
      return new LocalPlatform({ ...services(env), config: p, configSource: env.configSource });
    }
    case 'kubernetes': {
      const { KubernetesPlatform } = await import('./kubernetes/kubernetes-platform.js');
      return new KubernetesPlatform(kubernetesOptions(config, p, env));
    }
  }
}

/**
 * The platform of a dry run: it describes each change in words and makes none. The local one starts
 * nothing (its changes are processes and files on this machine); the kubernetes one reads the cluster.
 */
export async function createPlannedPlatform(config: ResolvedConfig, env: PlannedPlatformEnvironment): Promise<PlannedPlatform | undefined> {
  const p = config.platform;
  if (!p) return undefined;
  switch (p.kind) {
    case 'local': {
      const { LocalDryRun } = await import('./local/local-dry-run.js');
      return new LocalDryRun({ config: p, baseDir: env.baseDir, runDir: env.runDir, hooks: env.hooks, onMutation: env.onMutation });
    }
    case 'kubernetes': {
      const { PlannedKubernetesPlatform } = await import('./kubernetes/kubernetes-platform.js');
      return new PlannedKubernetesPlatform({ ...kubernetesOptions(config, p, env), hooks: env.hooks });
    }
  }
}

function kubernetesOptions(config: ResolvedConfig, p: ResolvedKubernetesPlatform, env: PlatformEnvironment | PlannedPlatformEnvironment) {
  return {
    ...services(env),
    config: env.context ? { ...p, context: env.context } : p,
    needs: env.needs,
    allowDestroy: env.allowDestroy || config.allowDestroy,
    workers: jobWorkers(config),
    configSource: env.configSource,
    ...(env.onMutation ? { onMutation: env.onMutation } : {}),
  };
}

function services(env: PlatformServices): PlatformServices {
  return { baseDir: env.baseDir, runDir: env.runDir, runId: env.runId, journal: env.journal, teardowns: env.teardowns, hooks: env.hooks };
}

/** Load workers as a Kubernetes Job, when the config asks for them. */
function jobWorkers(config: ResolvedConfig) {
  const w = config.load.workers;
  if (w?.kind !== 'kubernetes' || config.platform?.kind !== 'kubernetes') return undefined;
  return {
    namespace: w.namespace ?? config.platform.namespace,
    // A pinned public Node image running this very golive version: worker and coordinator speak one protocol.
    image: w.image ?? `node:${process.versions.node}-slim`,
    command: w.command ?? ['npx', '--yes', `golive@${VERSION}`, 'worker'],
    startLeadMs: w.startLead,
    resources: w.resources,
    nodeSelector: w.nodeSelector,
    tolerations: w.tolerations,
  };
}

/** How `golive recover` undoes each platform's journalled changes. */
export const PLATFORM_UNDOERS: Undoers = {
  kubernetes: async (payload) => (await import('./kubernetes/undo.js')).undoJournalled(payload),
};

/** `golive rbac`: the Role and ClusterRole the configured drills need (kubernetes platform). */
export async function rbacFor(config: ResolvedConfig, needs: DrillNeeds[]): Promise<string | undefined> {
  const p = config.platform;
  if (p?.kind !== 'kubernetes') return undefined;
  const [{ permissionNeeds }, { rbacYaml, requiredRules }] = await Promise.all([
    import('./kubernetes/kubernetes-platform.js'),
    import('./kubernetes/permissions.js'),
  ]);
  return rbacYaml(requiredRules(permissionNeeds(p, needs, jobWorkers(config)?.namespace)));
}

/** Velero's namespace when the configured drills back up with Velero (kubernetes): only then is anything of Velero's read. */
export async function configuredVeleroNamespace(config: ResolvedConfig, needs: DrillNeeds[]): Promise<string | undefined> {
  const p = config.platform;
  if (p?.kind !== 'kubernetes') return undefined;
  return (await import('./kubernetes/kubernetes-platform.js')).veleroNamespaceFor(p, needs);
}

/** A live namespace for `golive audit --namespace`. */
export async function clusterAuditSource(o: {
  context?: string | undefined;
  kubeconfig?: string | undefined;
  namespace: string;
  veleroNamespace?: string | undefined;
}): Promise<NonNullable<AuditSources['cluster']>> {
  const { KubeClient } = await import('./kubernetes/client.js');
  const client = new KubeClient({ context: o.context, kubeconfig: o.kubeconfig });
  return { client, namespace: o.namespace, ...(o.veleroNamespace ? { veleroNamespace: o.veleroNamespace } : {}) };
}
