/** Configs for drills on the local platform against the bundled demo app, shortened for tests. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { GoliveConfigInput } from '../../src/config/schema.js';
import { createDemoWorkspace, type DemoWorkspace } from '../../src/cli/demo.js';
import { PACKAGE_ROOT } from '../../src/package-root.js';
import { run } from '../../src/run/run.js';
import { tempDir } from './temp-dir.js';
import { readJournal } from '../../src/safety/journal.js';
import type { DrillResult } from '../../src/model/result.js';

export { createDemoWorkspace, type DemoWorkspace };

export interface AppOptions {
  replicas?: number;
  naive?: boolean;
  budget?: number;
  zones?: number;
}

export function localConfig(workspace: string, drills: Record<string, unknown>, o: AppOptions = {}): GoliveConfigInput {
  return {
    name: 'test',
    load: { rate: 200, connections: 10, threads: 1, timeout: '3s', requests: [{ url: '/', check: { status: [200] } }] },
    platform: {
      kind: 'local',
      app: {
        command: 'node server.js',
        cwd: workspace,
        dataDir: path.join(workspace, 'data'),
        replicas: o.replicas ?? 2,
        readiness: { path: '/readyz', period: '200ms', failureThreshold: 2 },
        terminationGrace: '5s',
        strategy: o.naive ? { type: 'Recreate' } : { type: 'RollingUpdate', maxSurge: 1, maxUnavailable: 0 },
        spread: o.naive ? 'none' : 'zones',
        env: o.naive ? { DEMO_GRACEFUL: '0' } : { DEMO_DRAIN_MS: '500' },
        ...(o.budget !== undefined ? { disruptionBudget: { minAvailable: o.budget } } : {}),
      },
      cluster: { nodes: 3, zones: o.zones ?? 3, detectionDelay: '1s' },
    },
    allowDestroy: true,
    drills,
  };
}

export async function runDrills(workspace: string, config: GoliveConfigInput): Promise<{ drills: DrillResult[]; dir: string }> {
  const outcome = await run({
    cwd: workspace,
    config: { ...config, output: { dir: path.join(workspace, 'results') } },
    onWarning: (m) => {
      throw new Error(`unexpected warning: ${m}`);
    },
  });
  return { drills: outcome.result.drills, dir: outcome.resultsDir };
}

/** Processes still running that a run started (by its id in their environment). */
export function processesOfRun(runDir: string): number[] {
  const runId = (runDir && readJournal(path.join(runDir, 'journal.json'))?.runId) || path.basename(runDir);
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/environ`, 'latin1').split('\0').includes(`GOLIVE_RUN_ID=${runId}`)) {
        const stat = readFileSync(`/proc/${name}/stat`, 'latin1');
        if (stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z') found.push(Number(name));
      }
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

/** The misbehaving test app (test/fixtures/lossy-app.mjs): its env picks how it loses data or requests. */
const LOSSY_APP = path.join(PACKAGE_ROOT, 'test', 'fixtures', 'lossy-app.mjs');

export interface LossyAppOptions {
  name: string;
  env: Record<string, string>;
  load: GoliveConfigInput['load'];
  drills: Record<string, unknown>;
  replicas?: number;
  readiness?: Record<string, unknown>;
  terminationGrace?: string;
  resources?: Record<string, unknown>;
  service?: { kind: 'service' } | { kind: 'ingress'; retries: number };
  /** A data folder and allowDestroy, for disaster recovery. */
  data?: boolean;
}

/** A local-platform config for the lossy app, in a temp folder of its own (removed when the test ends). */
export function lossyApp(o: LossyAppOptions): { cwd: string; config: GoliveConfigInput } {
  const cwd = tempDir(`golive-${o.name}-`);
  const replicas = o.replicas ?? 1;
  return {
    cwd,
    config: {
      name: o.name,
      load: o.load,
      platform: {
        kind: 'local',
        app: {
          command: `node ${LOSSY_APP}`,
          replicas,
          env: o.env,
          readiness: o.readiness ?? { path: '/readyz', period: '200ms' },
          ...(o.terminationGrace ? { terminationGrace: o.terminationGrace } : {}),
          ...(o.resources ? { resources: o.resources } : {}),
          ...(o.data ? { dataDir: path.join(cwd, 'data') } : {}),
        },
        cluster: { nodes: replicas, zones: replicas },
        ...(o.service ? { service: o.service } : {}),
      },
      ...(o.data ? { allowDestroy: true } : {}),
      output: { dir: path.join(cwd, 'results') },
      drills: o.drills,
    },
  };
}
