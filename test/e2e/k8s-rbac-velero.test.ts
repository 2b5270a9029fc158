import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { golive } from '../helpers/cli.js';
import { k8sConfig, startStandInCluster, type StandInCluster } from '../k8s/cluster-fixture.js';

function writeConfig(c: StandInCluster, drills: Record<string, unknown>): void {
  const config = k8sConfig(c, drills);
  writeFileSync(path.join(c.dir, 'golive.config.json'), JSON.stringify({ ...config, output: { dir: 'golive-results' } }));
}

// SIGINT, SIGKILL and recover are tested on the real control plane (real-k8s-safety.test.ts); Velero's CRDs
// exist only on the stand-in.
describe('kubernetes rbac with Velero (stand-in)', () => {
  test('golive rbac lists exactly the verbs and resources the drills call', async () => {
    const c = await startStandInCluster({ replicas: 3, zones: 3, minAvailable: 2 });
    try {
      c.api.put('namespaces', { metadata: { name: 'velero' } });
      writeConfig(c, {
        // A latency no one can meet: the drill fails, so golive also explains it (the audit's reads).
        'app-update': { baseline: '200ms', tail: '200ms', objectives: { latency: ['p(99)<0.001'] } },
        'node-drain': { baseline: '200ms', tail: '200ms' },
        'zone-outage': { baseline: '200ms', tail: '200ms' },
        'disaster-recovery': {
          baseline: '200ms',
          tail: '200ms',
          afterBackup: '100ms',
          backup: { velero: { namespace: 'velero' } },
          canary: { write: { method: 'GET', url: '/' }, read: { url: '/' } },
        },
      });
      const runResult = await golive(['run', '--allow-destroy'], { cwd: c.dir });
      assert.ok(runResult.code === 0 || runResult.code === 1, runResult.stdout.slice(-2000) + runResult.stderr);
      // Discovery (GET /api/v1) is a non-resource URL every authenticated user may read: not in a Role.
      const used = new Set(c.api.requests.filter((q) => !q.resource.startsWith('/')).map((q) => `${q.verb} ${q.group}/${q.resource}`));
      const rbac = await golive(['rbac'], { cwd: c.dir });
      assert.equal(rbac.code, 0, rbac.stderr);
      const granted = new Set<string>();
      for (const m of rbac.stdout.matchAll(/apiGroups: \["([^"]*)"\]\n\s+resources: \["([^"]+)"\]\n\s+verbs: \[([^\]]+)\]/g)) {
        for (const v of m[3]!.split(',').map((x) => x.trim().replace(/"/g, ''))) granted.add(`${v} ${m[1]}/${m[2]}`);
      }
      assert.deepEqual([...used].sort(), [...granted].sort());
    } finally {
      await c.close();
    }
  });

  test('without a Velero backup (no disaster-recovery, or its own backup commands) golive neither asks for nor reads anything of Velero', async () => {
    const c = await startStandInCluster({ replicas: 3, zones: 3, minAvailable: 2 });
    try {
      // No velero namespace, and no access to anything of Velero's: `kubectl apply` of a Role there would fail.
      for (const verb of ['list', 'get', 'create']) for (const r of ['schedules', 'backups', 'restores']) c.api.denied.add(`${verb} velero.io/${r}`);
      c.api.forbidden.add('schedules');
      writeConfig(c, {
        // A latency no one can meet: the drill fails, so golive also explains it (the audit's reads).
        'app-update': { baseline: '200ms', tail: '200ms', objectives: { latency: ['p(99)<0.001'] } },
        'disaster-recovery': {
          baseline: '1s', // canary writes acknowledged before the backup
          tail: '200ms',
          afterBackup: '100ms',
          backup: { run: 'true', destroy: 'true', restore: 'true' },
          canary: { write: { method: 'GET', url: '/' }, read: { url: '/' } },
        },
      });
      const rbac = await golive(['rbac', '-c', 'golive.config.json'], { cwd: c.dir });
      assert.equal(rbac.code, 0, rbac.stderr);
      assert.doesNotMatch(rbac.stdout, /velero/);
      const runResult = await golive(['run', '--allow-destroy'], { cwd: c.dir });
      assert.equal(runResult.code, 1, runResult.stdout.slice(-2000) + runResult.stderr);
      assert.doesNotMatch(runResult.stdout + runResult.stderr, /forbidden|could not run/);
      assert.deepEqual(
        c.api.requests.filter((q) => q.group === 'velero.io').map((q) => `${q.verb} ${q.resource}`),
        [],
      );
    } finally {
      await c.close();
    }
  });
});
