/** A stand-in cluster for a test: API server, controllers, a seeded app, its Service, and a kubeconfig. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { GoliveConfigInput } from '../../src/config/schema.js';
import { StandInApiServer } from './standin-api-server.js';
import { seedCluster, StandInController, type ControllerOptions } from './standin-controller.js';
import { tempDir } from '../helpers/temp-dir.js';

export interface StandInCluster {
  api: StandInApiServer;
  controller: StandInController;
  kubeconfig: string;
  dir: string;
  serviceUrl: string;
  close(): Promise<void>;
}

export interface ClusterSpec {
  zones?: number;
  perZone?: number;
  replicas?: number;
  minAvailable?: number;
  strategy?: object;
  tolerationSeconds?: number;
  controller?: ControllerOptions;
}

export const NAMESPACE = 'shop';
export const APP = 'web';

export async function startStandInCluster(spec: ClusterSpec = {}): Promise<StandInCluster> {
  const api = new StandInApiServer();
  const url = await api.listen();
  seedCluster(api, {
    zones: spec.zones ?? 3,
    perZone: spec.perZone ?? 1,
    namespace: NAMESPACE,
    name: APP,
    replicas: spec.replicas ?? 3,
    ...(spec.minAvailable !== undefined ? { minAvailable: spec.minAvailable } : {}),
    ...(spec.strategy ? { strategy: spec.strategy } : {}),
    ...(spec.tolerationSeconds !== undefined ? { tolerationSeconds: spec.tolerationSeconds } : {}),
  });
  const controller = new StandInController(api, spec.controller);
  controller.start();
  const serviceUrl = await controller.serve(NAMESPACE, { app: APP });
  const dir = tempDir('golive-k8s-');
  const kubeconfig = path.join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      'current-context: standin',
      'clusters:',
      '- name: standin',
      '  cluster:',
      `    server: ${url}`,
      '    insecure-skip-tls-verify: true',
      'contexts:',
      '- name: standin',
      '  context: { cluster: standin, user: tester, namespace: shop }',
      '- name: production',
      '  context: { cluster: standin, user: tester }',
      'users:',
      '- name: tester',
      '  user: { token: stand-in-token }',
      '',
    ].join('\n'),
  );
  // Wait for the app to be up, as it would be before anyone runs drills against it.
  for (let i = 0; i < 100; i++) {
    const d = api.get('deployments', NAMESPACE, APP)!;
    if (d['status']?.availableReplicas === (spec.replicas ?? 3)) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    api,
    controller,
    kubeconfig,
    dir,
    serviceUrl,
    close: async () => {
      await controller.stop();
      await api.close();
    },
  };
}

export function k8sConfig(c: StandInCluster, drills: Record<string, unknown>, extra: Record<string, unknown> = {}): GoliveConfigInput {
  return {
    name: 'k8s-test',
    target: { url: c.serviceUrl },
    load: { rate: 100, threads: 1, connections: 10, timeout: '2s' },
    platform: {
      kind: 'kubernetes',
      kubeconfig: c.kubeconfig,
      namespace: NAMESPACE,
      workload: { kind: 'Deployment', name: APP },
      drain: { retryEvery: '200ms' },
    },
    output: { dir: path.join(c.dir, 'results') },
    drills,
    ...extra,
  };
}

/** Mutating requests the stand-in received (create, patch, delete). */
export function mutations(api: StandInApiServer): string[] {
  return api.requests
    .filter((r) => ['create', 'patch', 'delete'].includes(r.verb) && r.resource !== 'selfsubjectaccessreviews')
    .map((r) => `${r.verb} ${r.resource}${r.name ? ` ${r.name}` : ''}`);
}
