/** Creates the platform the config names. */
import type { ResolvedConfig } from '../config/schema.js';
import type { Journal } from '../safety/journal.js';
import { LocalPlatform } from './local/local-platform.js';
import { KubernetesPlatform } from './kubernetes/kubernetes-platform.js';
import type { HookRunner, Platform } from './platform.js';

export interface PlatformEnvironment {
  baseDir: string;
  /** Kinds of the drills that will run: what the kubernetes platform checks permissions for. */
  drillKinds: string[];
  dryRun: boolean;
  allowDestroy: boolean;
  /** Overrides the config's kube context (--context). */
  context?: string | undefined;
  onMutation?: (description: string) => void;
  runDir: string;
  runId: string;
  journal: Journal;
  hooks: HookRunner;
}

export function createPlatform(config: ResolvedConfig, env: PlatformEnvironment): Platform | undefined {
  const p = config.platform;
  if (!p) return undefined;
  switch (p.kind) {
    case 'local':
      return new LocalPlatform({ config: p, baseDir: env.baseDir, runDir: env.runDir, runId: env.runId, journal: env.journal, hooks: env.hooks });
    case 'kubernetes':
      return new KubernetesPlatform({
        config: env.context ? { ...p, context: env.context } : p,
        baseDir: env.baseDir,
        journal: env.journal,
        hooks: env.hooks,
        drillKinds: env.drillKinds,
        dryRun: env.dryRun,
        allowDestroy: env.allowDestroy || config.allowDestroy,
        workersNamespace: config.load.workers?.kind === 'kubernetes' ? config.load.workers.namespace ?? p.namespace : undefined,
        ...(env.onMutation ? { onMutation: env.onMutation } : {}),
      });
  }
}
