import assert from 'node:assert/strict';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { golive } from '../helpers/cli.js';
import { k8sConfig, startStandInCluster, type StandInCluster } from '../k8s/cluster-fixture.js';
import { readJournal } from '../../src/safety/journal.js';

function writeConfig(c: StandInCluster, drills: Record<string, unknown>): void {
  const config = k8sConfig(c, drills);
  writeFileSync(path.join(c.dir, 'golive.config.json'), JSON.stringify({ ...config, output: { dir: 'golive-results' } }));
}

/** No node left cordoned or carrying a taint golive sets. */
function assertClean(c: StandInCluster): void {
  for (const n of c.api.list('nodes')) {
    assert.equal(n['spec']?.unschedulable, undefined, `${n.metadata.name} is cordoned`);
    assert.deepEqual(
      (n['spec']?.taints ?? []).map((t: { key: string }) => t.key),
      [],
      `${n.metadata.name} taints`,
    );
  }
}

/** Runs `golive run`, sends `signal` once the change `ready` reports is in place. */
async function interrupt(
  c: StandInCluster,
  signal: NodeJS.Signals,
  ready: () => boolean,
  extra: string[] = [],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return golive(['run', ...extra], {
    cwd: c.dir,
    onSpawn: (child) => {
      const poll = setInterval(() => {
        if (ready()) {
          clearInterval(poll);
          setTimeout(() => child.kill(signal), 100);
        }
      }, 50);
      child.on('close', () => clearInterval(poll));
    },
  });
}

const cordoned = (c: StandInCluster) => (): boolean => c.api.list('nodes').some((n) => n['spec']?.unschedulable);
const tainted = (c: StandInCluster) => (): boolean => c.api.list('nodes').some((n) => (n['spec']?.taints ?? []).length > 0);

describe('kubernetes safety: nothing left behind', () => {
  test('SIGINT in the middle of zone-outage: taints and cordons removed, exit 3', async () => {
    const c = await startStandInCluster({ replicas: 3, zones: 3 });
    try {
      writeConfig(c, { 'zone-outage': { baseline: '300ms', tail: '60s', zone: 'zone-a' } });
      const r = await interrupt(c, 'SIGINT', tainted(c));
      assert.equal(r.code, 3, r.stdout.slice(-1500) + r.stderr);
      assertClean(c);
    } finally {
      await c.close();
    }
  });

  test('SIGINT in the middle of node-drain (blocked by a PDB): the node is uncordoned, exit 3', async () => {
    const c = await startStandInCluster({ replicas: 1, zones: 2, minAvailable: 1 });
    try {
      writeConfig(c, { 'node-drain': { baseline: '300ms', timeout: '60s' } });
      const r = await interrupt(c, 'SIGINT', () => c.api.requests.some((q) => q.resource === 'pods/eviction' && q.status === 429));
      assert.equal(r.code, 3, r.stdout.slice(-1500) + r.stderr);
      assertClean(c);
    } finally {
      await c.close();
    }
  });

  test('SIGKILL mid zone-outage leaves the taint; golive recover removes it from the journal', async () => {
    const c = await startStandInCluster({ replicas: 3, zones: 3 });
    try {
      writeConfig(c, { 'zone-outage': { baseline: '300ms', tail: '60s', zone: 'zone-b' } });
      const r = await interrupt(c, 'SIGKILL', tainted(c));
      assert.equal(r.code, null);
      assert.ok(tainted(c)() && cordoned(c)(), 'a killed golive cannot clean up');
      const runDir = path.join(c.dir, 'golive-results', readdirSync(path.join(c.dir, 'golive-results'))[0]!);
      assert.ok(existsSync(path.join(runDir, 'journal.json')));
      assert.ok(readJournal(path.join(runDir, 'journal.json'))!.entries.some((e) => e.action.kind === 'undo' && e.action.by === 'kubernetes' && !e.undone));
      const rec = await golive(['recover'], { cwd: c.dir });
      assert.equal(rec.code, 0, rec.stderr);
      assert.match(rec.stdout, /✓ undone: tainted node node-b1 golive\.dev\/zone-outage:NoExecute → undone in context standin/);
      assert.match(rec.stdout, /✓ undone: cordoned node node-b1 → undone in context standin/);
      assertClean(c);
    } finally {
      await c.close();
    }
  });

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
});
