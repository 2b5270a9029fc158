/**
 * The drills against a real Kubernetes 1.20 control plane (kube-apiserver, kube-controller-manager and
 * kube-scheduler from Debian's kubernetes source package, etcd from Debian) with process kubelets and the
 * demo app's 1.20 manifests. Skipped where the binaries are not built (npm run cluster -- build); in CI a
 * missing build fails instead.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { GoliveConfigInput } from '../../src/config/schema.js';
import type { DrillResult } from '../../src/model/result.js';
import { run } from '../../src/run/run.js';
import { controlPlaneMissing } from '../cluster/control-plane.js';
import { DEMO_NAMESPACE, demoManifests, deployDemo, type DemoVariant } from '../cluster/demo.js';
import { startTestCluster, type TestCluster } from '../cluster/test-cluster.js';
import { tempDir } from '../helpers/temp-dir.js';
import { freeNodePort, nodesNow, realClusterSkip } from '../helpers/real-cluster.js';

const short = { baseline: '1s', tail: '1s' };

describe('drills against a real Kubernetes 1.20 control plane', { skip: realClusterSkip(controlPlaneMissing()) }, () => {
  let cluster: TestCluster;
  let dir: string;
  let nodePort: number;
  before(async () => {
    dir = tempDir('golive-real-k8s-');
    cluster = await startTestCluster({ dir: path.join(dir, 'cluster') });
    nodePort = await freeNodePort();
  });
  after(async () => {
    await cluster?.stop();
  });

  const deploy = (variant: DemoVariant = {}): Promise<string> => deployDemo(cluster, { nodePort, ...variant });
  const config = (
    url: string,
    drills: Record<string, unknown>,
    load: Record<string, unknown> = {},
    extra: Record<string, unknown> = {},
  ): GoliveConfigInput => ({
    name: 'real-k8s',
    target: { url },
    load: { rate: 50, threads: 1, connections: 10, timeout: '3s', ...load },
    platform: {
      kind: 'kubernetes',
      kubeconfig: cluster.kubeconfig,
      namespace: DEMO_NAMESPACE,
      workload: { kind: 'Deployment', name: 'demo' },
      drain: { retryEvery: '1s' },
    },
    output: { dir: path.join(dir, 'results') },
    drills,
    ...extra,
  });
  const only = (d: DrillResult): DrillResult => {
    assert.equal(
      d.error,
      undefined,
      `${d.error}\n${d.events
        .slice(-8)
        .map((e) => `${e.atMs} ${e.kind} ${e.subject ?? ''} ${e.message}`)
        .join('\n')}`,
    );
    return d;
  };

  test('app-update, RollingUpdate with probes and a graceful shutdown: the real deployment controller rolls, no request fails', async () => {
    const url = await deploy();
    const outcome = await run({ cwd: dir, config: config(url, { 'app-update': { ...short, objectives: { maxFailedRequests: 0, maxDowntime: '0s' } } }) });
    const d = only(outcome.result.drills[0]!);
    assert.equal(d.requests.failed, 0, JSON.stringify(d.requests));
    assert.ok(d.requests.total > 100, `load ran (${d.requests.total} requests)`);
    const kinds = new Set(d.events.map((e) => e.kind));
    // The rollout is complete when the new pods are available; the old ones are still in their preStop
    // and drain then (5 s + 5 s), so their deletion falls after the drill: only their termination is seen.
    for (const k of ['rollout.started', 'pod.created', 'pod.scheduled', 'pod.ready', 'pod.terminating', 'rollout.completed'])
      assert.ok(kinds.has(k as never), `${k} in ${[...kinds].join(', ')}`);
    assert.equal(d.events.filter((e) => e.kind === 'pod.ready').length, 3, 'three new pods became Ready');
    assert.equal(d.events.filter((e) => e.kind === 'pod.terminating').length, 3, 'three old pods were terminated');
    assert.equal(d.passed, true);
  });

  test('app-update, Recreate: one outage window as long as "old pods gone → new pod Ready" in the events (±20 %)', async () => {
    const url = await deploy({
      edit: (o) => {
        if (o.kind !== 'Deployment') return;
        o.spec.strategy = { type: 'Recreate' };
        // An app that exits at SIGTERM (after the preStop pause): its pod is deleted the moment it stops serving.
        o.spec.template.spec.containers[0].env.push({ name: 'DEMO_GRACEFUL', value: '0' });
      },
    });
    const outcome = await run({ cwd: dir, config: config(url, { 'app-update': { ...short, tail: '2s' } }) });
    const d = only(outcome.result.drills[0]!);
    assert.equal(d.downtime.windows.length, 1, JSON.stringify(d.downtime.windows.map((w) => [w.startMs, w.endMs])));
    const w = d.downtime.windows[0]!;
    // Recreate terminates every old pod at once: Endpoints are empty from then on, but the old pods keep
    // serving their open connections through the preStop pause and the drain. Users see the outage from the
    // moment the first old pod has terminated (its process gone, its pod deleted) until a new pod is Ready.
    const deleted = d.events.filter((e) => e.kind === 'pod.deleted').map((e) => e.atMs);
    const firstOldGone = Math.min(...deleted);
    const firstNewReady = Math.min(...d.events.filter((e) => e.kind === 'pod.ready').map((e) => e.atMs));
    const expected = firstNewReady - firstOldGone;
    const measured = w.endMs - w.startMs;
    assert.ok(expected > 0, `an old pod gone at ${firstOldGone} ms, a new one Ready at ${firstNewReady} ms`);
    assert.ok(
      Math.abs(measured - expected) <= 0.2 * expected,
      `window ${w.startMs}–${w.endMs} (${measured} ms) vs events ${firstOldGone}–${firstNewReady} (${expected} ms); old pods deleted at ${deleted.join(', ')} ms`,
    );
    // put the RollingUpdate back for the next test
    await deploy();
  });

  test("node-drain, PDB minAvailable 2 of 3: the real disruption controller's 429s are retried and reported, one node at a time, nothing fails, every node uncordoned", async () => {
    // Three replicas on zone-a's two nodes: one node holds two, so its second eviction meets the PDB.
    const url = await deploy({
      edit: (o) => {
        if (o.kind !== 'Deployment') return;
        delete o.spec.template.spec.topologySpreadConstraints;
        o.spec.template.spec.nodeSelector = { 'topology.kubernetes.io/zone': 'zone-a' };
      },
    });
    try {
      const outcome = await run({ cwd: dir, config: config(url, { 'node-drain': { ...short, timeout: '120s', objectives: { maxFailedRequests: 0 } } }) });
      const d = only(outcome.result.drills[0]!);
      assert.equal(d.requests.failed, 0, JSON.stringify(d.requests));
      const drained = (d.capacity as unknown as { drainedNodes: string[] }).drainedNodes;
      assert.deepEqual([...drained].sort(), ['node-a1', 'node-a2'], JSON.stringify(d.capacity));
      const blocked = d.events.filter((e) => e.kind === 'eviction.blocked');
      assert.ok(
        blocked.length >= 1,
        `the real disruption controller refused an eviction: ${d.events.map((e) => `${e.atMs} ${e.kind} ${e.subject ?? ''} ${e.message}`).join('\n')}`,
      );
      for (const b of blocked)
        assert.match(
          b.message,
          /refused \(429\): PodDisruptionBudget golive-demo\/demo \(minAvailable 2, \d healthy, \d disruptions allowed\) allows no disruption now; retrying in 1000 ms/,
        );
      // One node at a time: the second node is cordoned only after the first was drained and uncordoned.
      const cordoned = d.events.filter((e) => e.kind === 'node.cordoned').map((e) => [e.subject, e.atMs] as const);
      const drainedAt = d.events.filter((e) => e.kind === 'node.drained').map((e) => [e.subject, e.atMs] as const);
      assert.equal(drainedAt.length, 2);
      assert.equal(cordoned.length, 2);
      assert.ok(
        cordoned[1]![1] > drainedAt[0]![1],
        `${cordoned[1]![0]} cordoned at ${cordoned[1]![1]} ms, after ${drainedAt[0]![0]} was drained at ${drainedAt[0]![1]} ms`,
      );
      for (const n of await nodesNow(cluster)) assert.ok(!n.spec?.unschedulable, `${n.metadata.name} uncordoned (kubectl get nodes)`);
    } finally {
      await deploy();
    }
  });

  test('node-drain, PDB minAvailable 3 of 3: the per-node timeout fails naming the PDB, nothing is left cordoned', async () => {
    const url = await deploy({
      edit: (o) => {
        if (o.kind === 'PodDisruptionBudget') o.spec.minAvailable = 3;
      },
    });
    try {
      const outcome = await run({ cwd: dir, config: config(url, { 'node-drain': { ...short, timeout: '5s' } }) });
      const d = outcome.result.drills[0]!;
      assert.match(
        d.error ?? '',
        /timed out after 5000 ms: eviction of golive-demo\/demo-[\w-]+ is still blocked by PodDisruptionBudget golive-demo\/demo \(minAvailable 3/,
      );
      for (const n of await nodesNow(cluster)) assert.ok(!n.spec?.unschedulable, `${n.metadata.name} uncordoned (kubectl get nodes)`);
    } finally {
      await deploy();
    }
  });

  test("zone-outage (evict): the zone's pods leave it and are Ready elsewhere, the zone restored", async () => {
    const url = await deploy();
    const outcome = await run({ cwd: dir, config: config(url, { 'zone-outage': { ...short, zone: 'zone-b', mode: 'evict', recovery: '120s' } }) });
    const d = only(outcome.result.drills[0]!);
    assert.ok(d.events.some((e) => e.kind === 'zone.lost'));
    const pods = JSON.parse(await cluster.kubectl(['-n', DEMO_NAMESPACE, 'get', 'pods', '-o', 'json'])).items as any[];
    assert.equal(pods.filter((p) => !p.metadata.deletionTimestamp).length, 3);
    for (const n of await nodesNow(cluster)) {
      assert.ok(!n.spec?.unschedulable, `${n.metadata.name} uncordoned`);
      assert.ok(!(n.spec?.taints ?? []).some((t: any) => t.key === 'golive.dev/zone-outage'), `${n.metadata.name} untainted`);
    }
  });

  test('zone-outage (unreachable) with healthy kubelets: the real node controller takes the taint off and the drill fails within seconds, saying why', async () => {
    const url = await deploy();
    const started = Date.now();
    const outcome = await run({ cwd: dir, config: config(url, { 'zone-outage': { ...short, zone: 'zone-a', mode: 'unreachable', recovery: '300s' } }) });
    const d = outcome.result.drills[0]!;
    assert.match(
      d.error ?? '',
      /the node\.kubernetes\.io\/unreachable taint was removed from node node-a\d within [\d.]+ s of golive setting it: its kubelet still reports Ready, so the node lifecycle controller does not consider it lost\. Make the zone really unreachable \(zone-outage mode: \{ run: '<your command>' \}/,
    );
    assert.ok(
      d.events.some((e) => e.kind === 'zone.taint-removed'),
      'said as it happened',
    );
    assert.ok(Date.now() - started < 90_000, `failed in ${Date.now() - started} ms, well before the 300 s recovery budget`);
    for (const n of await nodesNow(cluster))
      assert.ok(!(n.spec?.taints ?? []).some((t: any) => t.key === 'node.kubernetes.io/unreachable'), `${n.metadata.name} untainted`);
  });

  test("zone-outage with the zone's kubelets stopped by a hook: the real node controller taints the nodes, pods with tolerationSeconds 10 are replaced, failures end when the endpoints go", async () => {
    const url = await deploy({
      edit: (o) => {
        if (o.kind !== 'Deployment') return;
        o.spec.template.spec.tolerations = ['node.kubernetes.io/unreachable', 'node.kubernetes.io/not-ready'].map((key) => ({
          key,
          operator: 'Exists',
          effect: 'NoExecute',
          tolerationSeconds: 10,
        }));
      },
    });
    // The hook asks the test, on loopback, to stop the zone's kubelets (their processes die with them).
    const control = http.createServer((req, res) => {
      const zone = new URL(req.url ?? '/', 'http://x').searchParams.get('zone') ?? '';
      for (const n of cluster.kubelet.nodeNames) if (n.startsWith(`node-${zone.replace(/^zone-/, '')}`)) cluster.kubelet.stopNode(n);
      res.end('stopped');
    });
    await new Promise<void>((r) => control.listen(0, '127.0.0.1', r));
    const port = (control.address() as AddressInfo).port;
    const hook = `${JSON.stringify(process.execPath)} -e "fetch('http://127.0.0.1:${port}/?zone='+process.env.GOLIVE_ZONE).then(r=>r.text())"`;
    try {
      // The zone to lose: the one of the first pod (nodes are named node-<zone letter><n>).
      const placement = (await cluster.cp.admin.get<{ items: any[] }>(`/api/v1/namespaces/${DEMO_NAMESPACE}/pods`)).items;
      const lost0 = placement[0]!;
      const letter = (lost0.spec.nodeName as string).slice('node-'.length, 'node-'.length + 1);
      const zone = `zone-${letter}`;
      const lostPods = placement.filter((p) => p.spec?.nodeName?.startsWith(`node-${letter}`)).map((p) => p.metadata.name as string);
      // Every request on a new connection (as new users arrive): kube-proxy sends a share of them to the dead
      // pods until the endpoints controller drops them. Keep-alive connections to live pods would never notice.
      const outcome = await run({
        cwd: dir,
        config: config(
          url,
          { 'zone-outage': { ...short, zone, mode: { run: hook }, recovery: '150s' } },
          { requests: [{ url: '/', headers: { connection: 'close' } }] },
        ),
      });
      const d = only(outcome.result.drills[0]!);
      const at = (kind: string, subject?: string): number | undefined =>
        d.events.find((e) => e.kind === kind && (subject === undefined || e.subject === subject))?.atMs;
      const lost = at('zone.lost')!;
      // The real node lifecycle controller: no heartbeat for the grace period (20 s) → NotReady, the unreachable
      // taint; in a zone that is wholly down it taints one node per 10 s, so the pod's own node is the one to watch.
      const tainted = d.events.find(
        (e) => e.kind === 'node.taints' && e.subject === lost0.spec.nodeName && /node\.kubernetes\.io\/unreachable:NoExecute/.test(e.message),
      );
      assert.ok(
        tainted,
        d.events
          .filter((e) => e.kind.startsWith('node.'))
          .map((e) => `${e.atMs} ${e.subject} ${e.message}`)
          .join('\n'),
      );
      const notReady = Math.min(...lostPods.map((p) => at('pod.not-ready', p) ?? at('pod.terminating', p) ?? Infinity));
      assert.ok(Number.isFinite(notReady), `the lost pods ${lostPods.join(', ')} were taken out of the endpoints`);
      const replaced = d.events.filter((e) => e.kind === 'pod.ready' && e.atMs > lost);
      assert.ok(
        replaced.length >= lostPods.length,
        `the lost pods were replaced elsewhere:\n${d.events
          .filter((e) => e.kind.startsWith('pod.') || e.kind.startsWith('zone') || e.kind.startsWith('drill'))
          .map((e) => `${e.atMs} ${e.kind} ${e.subject ?? ''} ${e.message}`)
          .join('\n')}`,
      );
      const evicted = at('pod.terminating', lost0.metadata.name) ?? Infinity;
      assert.ok(
        evicted - tainted.atMs >= 9000 && evicted - tainted.atMs < 16_000,
        `evicted ${evicted - tainted.atMs} ms after the taint (tolerationSeconds 10)`,
      );
      // Failures only while a dead pod was still an endpoint: from the zone lost until its pods were NotReady,
      // as many requests as the zone's share of the endpoints (one in three, or two when the zone held two).
      const deadMs = notReady - lost;
      for (const w of d.downtime.windows)
        assert.ok(w.startMs >= lost - 100 && w.endMs <= notReady + 1500, `window ${w.startMs}–${w.endMs} within ${lost}–${notReady}`);
      const share = d.requests.failed / ((50 * deadMs) / 1000);
      const expectedShare = lostPods.length / placement.length;
      assert.ok(
        Math.abs(share - expectedShare) < 0.15,
        `${d.requests.failed} failed of ~${Math.round((50 * deadMs) / 1000)} sent while ${lostPods.length} dead pod(s) of ${placement.length} were endpoints (${share.toFixed(2)} vs ${expectedShare.toFixed(2)})`,
      );
      const affected = d.downtime.totalMs + d.downtime.degradedMs;
      assert.ok(
        affected >= 0.5 * deadMs && affected <= deadMs + 2000,
        `downtime ${d.downtime.totalMs} + degraded ${d.downtime.degradedMs} ms vs ${deadMs} ms of a dead endpoint`,
      );
      console.log(
        `zone-outage (kubelets stopped): lost ${lost} ms, pods NotReady ${notReady} ms, tainted ${tainted.atMs} ms, evicted ${evicted} ms; failed ${d.requests.failed} of ${d.requests.total}; downtime ${d.downtime.totalMs} ms, degraded ${d.downtime.degradedMs} ms`,
      );
    } finally {
      control.close();
      for (const n of cluster.kubelet.nodeNames) if (cluster.kubelet.nodeIsStopped(n)) await cluster.kubelet.startNode(n);
      await cluster.waitFor('/api/v1/nodes', (nodes) => nodes.every((n) => !(n.spec?.taints ?? []).length), 'every node untainted again');
    }
  });

  test('disaster-recovery with backup hooks: the real namespace controller finalizes the namespace, the restore brings the data back, canary writes give the recovery point', async () => {
    const url = await deploy();
    const data = path.join(dir, 'cluster', 'kubelet', 'volumes', DEMO_NAMESPACE, 'pvc-demo-data');
    const saved = path.join(dir, 'backup');
    const manifests = path.join(dir, 'demo.yaml');
    writeFileSync(manifests, await demoManifests(cluster, { nodePort }));
    const kubectl = `kubectl --kubeconfig ${cluster.kubeconfig}`;
    const backup = {
      run: `rm -rf ${saved} && cp -a ${data} ${saved}`,
      destroy: `${kubectl} delete namespace ${DEMO_NAMESPACE} --wait=true --timeout=120s && rm -rf ${data}`,
      restore: `cp -a ${saved} ${data} && ${kubectl} apply -f ${manifests}`,
    };
    const outcome = await run({ cwd: dir, config: config(url, { 'disaster-recovery': { ...short, tail: '2s', backup } }, {}, { allowDestroy: true }) });
    const d = only(outcome.result.drills[0]!);
    const r = d.recovery!;
    assert.ok(r.ackedWrites > 10, JSON.stringify(r));
    assert.equal(r.lostBeforeBackup, 0, 'every write acknowledged before the backup is in the restore');
    assert.ok(r.lostWrites > 0 && r.lostWrites < r.ackedWrites, `the writes after the backup are lost: ${JSON.stringify(r)}`);
    assert.ok(r.pointMs! >= 2500, `recovery point ≥ afterBackup (3 s) less a canary period: ${r.pointMs} ms`);
    assert.ok(r.timeMs! > 0);
    const ns = JSON.parse(await cluster.kubectl(['get', 'namespace', DEMO_NAMESPACE, '-o', 'json']));
    assert.equal(ns.status.phase, 'Active', 'the namespace is back');
    console.log(`disaster-recovery (hooks): recovery point ${r.pointMs} ms, recovery time ${r.timeMs} ms, ${r.lostWrites} of ${r.ackedWrites} writes lost`);
  });

  test('redeploy with kubectl apply -k: the namespace deleted and finalized by the real namespace controller, the repository applied, setup time measured', async () => {
    const url = await deploy();
    const repo = path.join(dir, 'repo');
    mkdirSync(repo, { recursive: true });
    writeFileSync(path.join(repo, 'demo.yaml'), await demoManifests(cluster, { nodePort }));
    writeFileSync(path.join(repo, 'kustomization.yaml'), 'resources: [demo.yaml]\n');
    execFileSync('git', ['init', '-q'], { cwd: repo });
    execFileSync('git', ['add', '.'], { cwd: repo });
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'demo'], { cwd: repo });
    const outcome = await run({
      cwd: dir,
      config: config(url, { redeploy: { ...short, repo, command: 'kubectl apply -k .', objectives: { maxSetupTime: '120s' } } }, {}, { allowDestroy: true }),
    });
    const d = only(outcome.result.drills[0]!);
    assert.ok(d.setupMs! > 0);
    assert.equal(d.passed, true, JSON.stringify(d.objectives));
    const kinds = d.events.map((e) => e.kind);
    assert.ok(kinds.indexOf('destroy.done') < kinds.indexOf('deploy.command'), kinds.join(', '));
    console.log(`redeploy: setup ${d.setupMs} ms`);
  });
  test('--dry-run of every drill kind: every hook described, none run; no node, pod or namespace changed', async () => {
    const url = await deploy();
    const marks = path.join(dir, 'marks');
    mkdirSync(marks, { recursive: true });
    const kubectl = `kubectl --kubeconfig ${cluster.kubeconfig}`;
    // Each hook, if it ran, would leave a mark and do real harm to the cluster.
    const hook = (mark: string): string => `touch ${path.join(marks, mark)} && ${kubectl} delete namespace ${DEMO_NAMESPACE} --wait=false`;
    const podsBefore = JSON.parse(await cluster.kubectl(['get', 'pods', '-n', DEMO_NAMESPACE, '-o', 'json'])).items.map(
      (p: { metadata: { uid: string } }) => p.metadata.uid,
    );
    const planned: string[] = [];
    const outcome = await run({
      cwd: dir,
      dryRun: true,
      allowDestroy: true,
      onMutation: (m) => planned.push(m),
      config: config(url, {
        'app-update': { ...short, change: { run: hook('rollout') } },
        'node-drain': { ...short, reboot: { run: hook('reboot') } },
        'zone-outage': { ...short, mode: { run: hook('zone') } },
        'disaster-recovery': { ...short, backup: { run: hook('backup'), destroy: hook('destroy'), restore: hook('restore') } },
        redeploy: { ...short, repo: dir, command: hook('deploy') },
        mine: { kind: 'custom', actions: [{ run: hook('custom') }, { manual: 'pull the plug' }] },
      }),
    });
    assert.deepEqual(
      outcome.result.drills.map((d) => [d.name, d.error]),
      ['app-update', 'node-drain', 'zone-outage', 'disaster-recovery', 'redeploy', 'mine'].map((n) => [n, undefined]),
    );
    assert.deepEqual(readdirSync(marks), [], 'no hook ran');
    for (const mark of ['rollout', 'reboot', 'zone', 'backup', 'destroy', 'restore', 'deploy', 'custom'])
      assert.ok(
        planned.some((p) => p.startsWith('run `touch ') && p.includes(`marks/${mark} `)),
        `${mark} described:\n${planned.join('\n')}`,
      );
    const ns = JSON.parse(await cluster.kubectl(['get', 'namespace', DEMO_NAMESPACE, '-o', 'json']));
    assert.equal(ns.status.phase, 'Active', 'the namespace is untouched');
    assert.ok(
      (await nodesNow(cluster)).every((n) => !n.spec?.unschedulable && !(n.spec?.taints ?? []).length),
      'no node cordoned or tainted',
    );
    const podsAfter = JSON.parse(await cluster.kubectl(['get', 'pods', '-n', DEMO_NAMESPACE, '-o', 'json'])).items.map(
      (p: { metadata: { uid: string } }) => p.metadata.uid,
    );
    assert.deepEqual(podsAfter.sort(), podsBefore.sort(), 'the same pods: none evicted, deleted or restarted');
  });
});
