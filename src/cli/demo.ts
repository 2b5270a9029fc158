/**
 * `golive demo`: the six drills against the bundled demo app on the local platform. The app is copied into
 * a fresh Git repository (the redeploy drill clones it at HEAD), run as 3 replicas across 3 zones with a
 * graceful shutdown, a rolling update and a disruption budget; `--naive` runs 1 replica, Recreate, and no
 * graceful shutdown, and shows what that costs users.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { GoliveConfigInput } from '../config/schema.js';
import { PACKAGE_ROOT } from '../package-root.js';

const DEMO_APP = path.join(PACKAGE_ROOT, 'examples', 'demo-app');

export interface DemoWorkspace {
  dir: string;
  remove(): void;
}

/** A throwaway Git repository holding the demo app, committed. */
export function createDemoWorkspace(): DemoWorkspace {
  const dir = mkdtempSync(path.join(tmpdir(), 'golive-demo-'));
  cpSync(DEMO_APP, dir, { recursive: true, filter: (src) => !/[\\/](data|node_modules|golive-results)$/.test(src) });
  const git = (...args: string[]): void => {
    execFileSync('git', args, {
      cwd: dir,
      stdio: 'ignore',
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: 'golive demo',
        GIT_AUTHOR_EMAIL: 'demo@golive.invalid',
        GIT_COMMITTER_NAME: 'golive demo',
        GIT_COMMITTER_EMAIL: 'demo@golive.invalid',
      },
    });
  };
  git('init', '--quiet');
  git('add', '.');
  git('commit', '--quiet', '-m', 'demo app');
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export function demoConfig(workspace: string, naive: boolean): GoliveConfigInput {
  return {
    name: naive ? 'demo-naive' : 'demo',
    load: {
      executor: 'constant-arrival-rate',
      rate: 200,
      connections: 20,
      timeout: '5s',
      threads: 1,
      requests: [{ name: 'home', method: 'GET', url: '/', check: { status: [200] } }],
    },
    platform: {
      kind: 'local',
      // A small shop: a front that passes every request to the API, the API, and a store that keeps the items.
      entry: 'front',
      components: naive ? naiveShop(workspace) : shop(workspace),
      cluster: { nodes: 3, zones: 3, detectionDelay: '3s' },
    },
    allowDestroy: true, // the demo destroys only its own throwaway copy
    drills: {
      capacity: { duration: '8s', objectives: { latency: ['p(95)<300', 'p(99)<800'], maxErrorRate: 0.001 } },
      // The API's rolling update: what ships most often.
      'app-update': { baseline: '3s', tail: '3s', component: 'api', objectives: { maxDowntime: '0s', maxFailedRequests: 0 } },
      // A lost zone's replicas stay in rotation until the loss is detected (3 s, the node-monitor grace
      // period): requests sent to them fail until then. The demo states what it accepts for that.
      // While the loss goes unnoticed, requests to the lost replicas wait: users waiting seconds is an outage too.
      'zone-outage': {
        baseline: '3s',
        tail: '3s',
        objectives: { maxDowntime: '1s', maxDegraded: '5s', maxErrorRate: 0.15, latency: { recovery: ['p(95)<1000'], tail: ['p(95)<300'] } },
      },
      'node-drain': { baseline: '3s', tail: '3s', reboot: { delay: '1s' }, objectives: { maxDowntime: '0s', maxFailedRequests: 0 } },
      'disaster-recovery': {
        baseline: '3s',
        tail: '2s',
        afterBackup: '2s',
        canary: { rate: 10 },
        objectives: { maxRecoveryPoint: '10s', maxRecoveryTime: '30s' },
      },
      redeploy: { baseline: '2s', tail: '2s', repo: workspace, objectives: { maxSetupTime: '60s' } },
    },
  };
}

type Components = NonNullable<Extract<NonNullable<GoliveConfigInput['platform']>, { kind: 'local' }>['components']>;

const readiness = { path: '/readyz', period: '250ms', failureThreshold: 2 };

/** Well built: replicas in every zone, disruption budgets, a graceful shutdown, a store of two replicas over one volume. */
function shop(workspace: string): Components {
  const base = { command: 'node server.js', cwd: workspace, readiness, terminationGrace: '10s', spread: 'zones' as const };
  return {
    front: {
      ...base,
      replicas: 2,
      env: { DEMO_ROLE: 'front', API_URL: '{{components.api.url}}', DEMO_DRAIN_MS: '1000' },
      disruptionBudget: { minAvailable: 1 },
    },
    api: {
      ...base,
      replicas: 3,
      env: { DEMO_ROLE: 'api', STORE_URL: '{{components.store.url}}', DEMO_DRAIN_MS: '1000' },
      disruptionBudget: { minAvailable: 2 },
    },
    store: {
      ...base,
      replicas: 2,
      env: { DEMO_ROLE: 'store', DEMO_DRAIN_MS: '1000' },
      dataDir: path.join(workspace, 'data'),
      disruptionBudget: { minAvailable: 1 },
    },
  };
}

/** Built as many first versions are: one replica each, replaced all at once, no graceful shutdown, the store pinned to one zone's disk. */
function naiveShop(workspace: string): Components {
  const base = {
    command: 'node server.js',
    cwd: workspace,
    readiness,
    terminationGrace: '10s',
    replicas: 1,
    spread: 'none' as const,
    strategy: { type: 'Recreate' as const },
  };
  return {
    front: { ...base, env: { DEMO_ROLE: 'front', API_URL: '{{components.api.url}}', DEMO_GRACEFUL: '0' } },
    api: { ...base, env: { DEMO_ROLE: 'api', STORE_URL: '{{components.store.url}}', DEMO_GRACEFUL: '0' } },
    store: { ...base, env: { DEMO_ROLE: 'store', DEMO_GRACEFUL: '0' }, dataDir: path.join(workspace, 'data'), zones: ['zone-a'] },
  };
}
