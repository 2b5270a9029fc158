/**
 * A system of workloads on a real Kubernetes 1.20 control plane: the demo (the front, behind the NodePort),
 * `api` (a Deployment without a disruption budget, slow to become Ready) and `store` (a StatefulSet). The
 * test watches the pods and nodes itself, so what golive waited for is checked against what the cluster did.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { GoliveConfigInput } from '../../src/config/schema.js';
import { parseAllDocuments } from 'yaml';
import type { DrillResult, RunResult } from '../../src/model/result.js';
import { run } from '../../src/run/run.js';
import { controlPlaneMissing } from '../cluster/control-plane.js';
import { DEMO_NAMESPACE } from '../cluster/demo.js';
import type { KubeObject } from '../cluster/rest.js';
import { auditLog, bindUser, deploySystem, ruleOf, SystemWatch, workloadOfPod } from '../cluster/system.js';
import { startTestCluster, type TestCluster } from '../cluster/test-cluster.js';
import { golive, latestRunDir } from '../helpers/cli.js';
import { freeNodePort, nodesNow, realClusterSkip } from '../helpers/real-cluster.js';
import { tempDir } from '../helpers/temp-dir.js';

const short = { baseline: '1s', tail: '1s' };
const USER = 'golive-operator';

describe('a system of two Deployments and a StatefulSet on a real Kubernetes 1.20 control plane', { skip: realClusterSkip(controlPlaneMissing()) }, () => {
  let cluster: TestCluster;
  let dir: string;
  let nodePort: number;
  before(async () => {
    dir = tempDir('golive-real-system-');
    cluster = await startTestCluster({ dir: path.join(dir, 'cluster'), users: { [USER]: [] } });
    nodePort = await freeNodePort();
  });
  after(async () => {
    await cluster?.stop();
  });

  const config = (url: string, drills: Record<string, unknown>, platform: Record<string, unknown> = {}): GoliveConfigInput => ({
    name: 'real-system',
    target: { url },
    load: { rate: 50, threads: 1, connections: 10, timeout: '3s' },
    platform: { kind: 'kubernetes', kubeconfig: cluster.kubeconfig, namespace: DEMO_NAMESPACE, drain: { retryEvery: '1s' }, ...platform } as never,
    output: { dir: path.join(dir, 'results') },
    drills,
  });
  const only = (d: DrillResult): DrillResult => {
    assert.equal(
      d.error,
      undefined,
      `${d.error}\n${d.events
        .slice(-12)
        .map((e) => `${e.atMs} ${e.kind} ${e.subject ?? ''} ${e.message}`)
        .join('\n')}`,
    );
    return d;
  };

  test("node-drain of every node with `workload: demo` (the issue): before each next node, every evicted pod's owner is available again; no replacement is evicted before it was Ready", async () => {
    const url = await deploySystem(cluster, { nodePort });
    const watch = new SystemWatch(cluster);
    try {
      await watch.settled();
      const outcome = await run({
        cwd: dir,
        config: config(url, { 'node-drain': { ...short, nodes: 'all', timeout: '180s' } }, { workload: { kind: 'Deployment', name: 'demo' } }),
      });
      const readyAtEnd = watch.ready();
      const d = only(outcome.result.drills[0]!);
      const figures = watch.figures();
      console.log(`node-drain (workload: demo), below the Ready count per workload: ${JSON.stringify(figures)}; cordons: ${JSON.stringify(watch.cordons)}`);
      const movedOnEarly = watch.cordons.slice(1).filter((c) => !(c.ready['demo']! >= 3 && c.ready['api']! >= 3 && c.ready['store']! >= 2));
      assert.deepEqual(movedOnEarly, [], "a node was cordoned while an earlier node's evicted pods were not all replaced and Ready");
      assert.deepEqual(watch.terminatedUnready, [], 'no pod was evicted before it was ever Ready');
      assert.deepEqual(readyAtEnd, { demo: 3, api: 3, store: 2 }, 'golive finished with every workload Ready');
      assert.equal(d.events.filter((e) => e.kind === 'node.drained').length, 6);
      for (const n of await nodesNow(cluster)) assert.ok(!n.spec?.unschedulable, `${n.metadata.name} uncordoned`);
    } finally {
      watch.stop();
    }
  });

  test('node-drain with no workload named: every Deployment and StatefulSet is the system, watched, drained around and waited for', async () => {
    const url = await deploySystem(cluster, { nodePort });
    const watch = new SystemWatch(cluster);
    try {
      await watch.settled();
      const outcome = await run({ cwd: dir, config: config(url, { 'node-drain': { ...short, timeout: '180s' } }) });
      const readyAtEnd = watch.ready();
      const d = only(outcome.result.drills[0]!);
      console.log(`node-drain (every workload), below the Ready count per workload: ${JSON.stringify(watch.figures())}`);
      // The placement counts every workload's pods, each component on its own.
      assert.deepEqual(
        Object.fromEntries(Object.entries(d.placement!.byComponent!).map(([name, c]) => [name, Object.values(c.byZone).reduce((a, b) => a + b, 0)])),
        { demo: 3, api: 3, store: 2 },
      );
      assert.equal(
        Object.values(d.placement!.byZone).reduce((a, b) => a + b, 0),
        8,
      );
      // The nodes hosting any of them were drained, and the pods of all three are on the timeline by name.
      const hosting = new Set(Object.keys(d.placement!.byNode));
      assert.deepEqual([...(d.capacity as unknown as { drainedNodes: string[] }).drainedNodes].sort(), [...hosting].sort());
      for (const w of ['demo', 'api', 'store'])
        assert.ok(
          d.events.some((e) => e.kind === 'pod.ready' && e.subject?.startsWith(`${w}-`)),
          `${w}'s pods on the timeline`,
        );
      const drained = d.events.filter((e) => e.kind === 'node.drained');
      for (const e of drained) assert.match(e.message, /^every pod evicted and Deployment api, Deployment demo, StatefulSet store available again/);
      // Wherever an api pod was evicted, its replacement was Ready before golive called the node drained.
      for (const e of drained) {
        const from = d.events.findIndex((x) => x.kind === 'drill.node' && x.subject === e.subject);
        const during = d.events.slice(from, d.events.indexOf(e));
        const evictedApi = during.some((x) => x.kind === 'eviction' && /\/api-/.test(x.subject ?? ''));
        if (evictedApi)
          assert.ok(
            during.some((x) => x.kind === 'pod.ready' && x.subject?.startsWith('api-')),
            `${e.subject}: an api pod evicted, and drained before a replacement was Ready: ${e.message}`,
          );
      }
      console.log(`node-drain (every workload): ${drained.map((e) => `${e.subject}: ${e.message}`).join('; ')}`);
      const movedOnEarly = watch.cordons.slice(1).filter((c) => !(c.ready['demo']! >= 3 && c.ready['api']! >= 3 && c.ready['store']! >= 2));
      assert.deepEqual(movedOnEarly, []);
      assert.deepEqual(watch.terminatedUnready, []);
      assert.deepEqual(readyAtEnd, { demo: 3, api: 3, store: 2 });
    } finally {
      watch.stop();
    }
  });

  test("app-update of component 'api': only api's pods are replaced; demo's and store's pods are the same ones", async () => {
    const url = await deploySystem(cluster, { nodePort });
    const uids = async (): Promise<Record<string, string[]>> => {
      const pods = (await cluster.cp.admin.get<{ items: KubeObject[] }>(`/api/v1/namespaces/${DEMO_NAMESPACE}/pods`)).items.filter(
        (p) => !p.metadata.deletionTimestamp,
      );
      const by: Record<string, string[]> = {};
      for (const p of pods) (by[workloadOfPod(p)] ??= []).push(p.metadata.uid!);
      return Object.fromEntries(Object.entries(by).map(([w, u]) => [w, u.sort()]));
    };
    const before = await uids();
    const outcome = await run({ cwd: dir, config: config(url, { 'app-update': { ...short, component: 'api' } }) });
    const d = only(outcome.result.drills[0]!);
    const after = await uids();
    assert.deepEqual(after['demo'], before['demo'], "demo's pods untouched");
    assert.deepEqual(after['store'], before['store'], "store's pods untouched");
    assert.equal(after['api']!.length, 3);
    assert.deepEqual(
      after['api']!.filter((u) => before['api']!.includes(u)),
      [],
      'every api pod replaced',
    );
    assert.deepEqual(
      d.events.filter((e) => e.kind.startsWith('rollout.')).map((e) => `${e.kind} ${e.subject}`),
      ['rollout.started api', 'rollout.completed api'],
    );
    const replaced = new Set(
      d.events.filter((e) => e.kind === 'pod.created' || e.kind === 'pod.terminating').map((e) => e.subject!.replace(/-[^-]+-[^-]+$/, '')),
    );
    assert.deepEqual([...replaced], ['api']);
    const unknown = await run({ cwd: dir, config: config(url, { 'app-update': { ...short, component: 'cart' } }) }).then(
      (o) => o.result.drills[0]!.error,
      (e: Error) => e.message,
    );
    assert.match(unknown ?? '', /no component "cart": the system's workloads are Deployment api, Deployment demo, StatefulSet store/);
  });

  test("zone-outage (evict) of the store's zone: every workload's pods leave it, and golive waits until all three are available", async () => {
    const url = await deploySystem(cluster, { nodePort });
    const store = await cluster.cp.admin.get<KubeObject>(`/api/v1/namespaces/${DEMO_NAMESPACE}/pods/store-0`);
    const zone = `zone-${(store.spec.nodeName as string).slice('node-'.length, 'node-'.length + 1)}`;
    const watch = new SystemWatch(cluster);
    try {
      await watch.settled();
      const outcome = await run({ cwd: dir, config: config(url, { 'zone-outage': { ...short, zone, mode: 'evict', recovery: '180s' } }) });
      const readyAtEnd = watch.ready();
      const d = only(outcome.result.drills[0]!);
      console.log(`zone-outage of ${zone}, below the Ready count per workload: ${JSON.stringify(watch.figures())}`);
      assert.deepEqual(readyAtEnd, { demo: 3, api: 3, store: 2 }, 'every workload available when golive finished');
      const lost = d.events.find((e) => e.kind === 'zone.lost')!;
      assert.ok(lost.message.includes('pod(s) deleted without grace'), lost.message);
      const pods = (await cluster.cp.admin.get<{ items: KubeObject[] }>(`/api/v1/namespaces/${DEMO_NAMESPACE}/pods`)).items;
      const letter = zone.slice(-1);
      assert.deepEqual(
        pods.filter((p) => !p.metadata.deletionTimestamp && (p.spec.nodeName as string).startsWith(`node-${letter}`)).map((p) => p.metadata.name),
        [],
        'no pod of the system in the lost zone when it came back',
      );
      assert.ok(
        d.events.some((e) => e.kind === 'pod.deleted' && e.subject === 'store-0'),
        'the store pod was lost with its zone',
      );
    } finally {
      watch.stop();
    }
  });

  test('`golive rbac` for a system named by a selector, bound to a user: app-update of each component, a node drained, a zone lost and the audit run with exactly those rules', async () => {
    const url = await deploySystem(cluster, { nodePort });
    const work = path.join(dir, 'rbac');
    mkdirSync(work, { recursive: true });
    writeFileSync(
      path.join(work, 'golive.config.json'),
      JSON.stringify({
        name: 'real-system-rbac',
        target: { url },
        load: { rate: 20, threads: 1, connections: 4 },
        platform: {
          kind: 'kubernetes',
          kubeconfig: cluster.cp.kubeconfigFor(USER),
          namespace: DEMO_NAMESPACE,
          workloads: { selector: 'app.kubernetes.io/part-of=shop' },
          entry: 'demo',
          drain: { retryEvery: '1s' },
        },
        drills: {
          'app-update': { ...short, component: 'each' },
          'node-drain': { ...short, nodes: ['node-a1'], timeout: '180s' },
          'zone-outage': { ...short, zone: 'zone-b', recovery: '180s' },
        },
      }),
    );
    const rbac = await golive(['rbac'], { cwd: work });
    assert.equal(rbac.code, 0, rbac.stderr);
    for (const resource of ['deployments', 'statefulsets'])
      assert.match(rbac.stdout, new RegExp(`resources: \\["${resource}"\\]\\n {4}verbs: \\["get", "list", "patch"\\]`), rbac.stdout);
    await bindUser(cluster, USER, rbac.stdout);
    const since = new Date().toISOString();
    const ran = await golive(['run'], { cwd: work });
    assert.equal(ran.code, 0, (ran.stdout + ran.stderr).slice(-3000));
    const audited = await golive(['audit', '-c', 'golive.config.json', '--cluster', '--fail-on', 'none'], { cwd: work });
    assert.equal(audited.code, 0, (audited.stdout + audited.stderr).slice(-3000));
    const entries = auditLog(cluster.cp.auditLog, USER, since);
    assert.deepEqual(
      entries.filter((e) => e.responseStatus?.code === 403),
      [],
      'no request of golive was forbidden',
    );
    const used = new Set(entries.map(ruleOf));
    const granted = new Set<string>();
    for (const doc of parseAllDocuments(rbac.stdout).map((x) => x.toJS() as { rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[] }))
      for (const r of doc.rules) for (const g of r.apiGroups) for (const res of r.resources) for (const v of r.verbs) granted.add(`${v} ${g || 'core'} ${res}`);
    assert.deepEqual([...used].sort(), [...granted].sort(), 'what golive used (audit log) equals what golive rbac printed');
    // Each component was rolled in phases of its own.
    const summary = JSON.parse(readFileSync(path.join(latestRunDir(work), 'summary.json'), 'utf8')) as RunResult;
    assert.deepEqual(
      summary.drills[0]!.phases.map((ph) => ph.name).filter((n) => n.startsWith('disruption')),
      ['disruption demo', 'disruption api', 'disruption store'],
    );
  });
});
