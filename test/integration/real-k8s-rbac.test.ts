/**
 * RBAC for real: a user bound to exactly what `golive rbac` prints runs the drills and the audit against a
 * real 1.20 control plane under --authorization-mode RBAC, and the API server's audit log is the ground
 * truth of what golive did: the (verb, group, resource) set it used equals the printed rules, and with one
 * rule removed the SelfSubjectAccessReview precheck stops the run before any mutating request.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { controlPlaneMissing } from '../cluster/control-plane.js';
import { DEMO_NAMESPACE, deployDemo } from '../cluster/demo.js';
import { startTestCluster, type TestCluster } from '../cluster/test-cluster.js';
import { golive } from '../helpers/cli.js';
import { freeNodePort, nodesNow, realClusterSkip } from '../helpers/real-cluster.js';
import { tempDir } from '../helpers/temp-dir.js';

const USER = 'golive-operator';

interface AuditEntry {
  stage: string;
  verb: string;
  user: { username: string };
  objectRef?: { resource: string; subresource?: string; apiGroup?: string; namespace?: string };
  responseStatus?: { code: number };
  requestReceivedTimestamp: string;
}

async function goliveCli(args: string[], cwd: string): Promise<{ code: number | null; out: string }> {
  const r = await golive(args, { cwd });
  // `golive rbac` prints YAML on stdout; anything else is read whole
  return { code: r.code, out: args[0] === 'rbac' ? r.stdout : r.stdout + r.stderr };
}

/** The audit log's resource requests by one user, from `since` on (responses only). */
function auditOf(file: string, user: string, since: string): AuditEntry[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as AuditEntry)
    .filter((e) => e.stage === 'ResponseComplete' && e.user.username === user && e.objectRef && e.requestReceivedTimestamp >= since);
}

const key = (verb: string, group: string, resource: string): string => `${verb} ${group || 'core'} ${resource}`;

describe('RBAC against a real Kubernetes 1.20 control plane', { skip: realClusterSkip(controlPlaneMissing()) }, () => {
  let cluster: TestCluster;
  let dir: string;
  let url: string;
  before(async () => {
    dir = tempDir('golive-real-rbac-');
    cluster = await startTestCluster({ dir: path.join(dir, 'cluster'), users: { [USER]: [] } });
    url = await deployDemo(cluster, { nodePort: await freeNodePort() });
    // No velero namespace: drills without a Velero backup need no Role there (one would not apply).
  });
  after(async () => {
    await cluster?.stop();
  });

  const writeConfig = (drills: Record<string, unknown>): void =>
    writeFileSync(
      path.join(dir, 'golive.config.json'),
      JSON.stringify({
        name: 'real-rbac',
        target: { url },
        load: { rate: 20, threads: 1, connections: 4 },
        platform: {
          kind: 'kubernetes',
          kubeconfig: cluster.cp.kubeconfigFor(USER),
          namespace: DEMO_NAMESPACE,
          workload: { kind: 'Deployment', name: 'demo' },
          drain: { retryEvery: '1s' },
        },
        output: { dir: path.join(dir, 'results') },
        drills,
      }),
    );
  const bind = async (rbacYaml: string): Promise<void> => {
    const docs = parseAllDocuments(rbacYaml).map((d) => d.toJS() as { kind: string; metadata: { name: string; namespace?: string } });
    const bindings = docs.map((d) => ({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: d.kind === 'Role' ? 'RoleBinding' : 'ClusterRoleBinding',
      metadata: { name: 'golive', ...(d.metadata.namespace ? { namespace: d.metadata.namespace } : {}) },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: d.kind, name: d.metadata.name },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: USER }],
    }));
    await cluster.kubectl(['apply', '-f', '-'], { input: [rbacYaml, ...bindings.map((b) => JSON.stringify(b))].join('\n---\n') });
  };

  test("a user bound to exactly `golive rbac`'s rules runs app-update, node-drain, zone-outage, disaster-recovery and the audit; the audit log shows exactly those rules used", async () => {
    // disaster-recovery's backup, destroy and restore are the team's own commands, under their own identity.
    const admin = `kubectl --kubeconfig ${cluster.kubeconfig} -n ${DEMO_NAMESPACE}`;
    writeConfig({
      'app-update': { baseline: '1s', tail: '1s' },
      'node-drain': { baseline: '1s', tail: '1s', timeout: '120s' },
      'zone-outage': { baseline: '1s', tail: '1s', zone: 'zone-b', recovery: '120s' },
      'disaster-recovery': {
        baseline: '1s',
        tail: '1s',
        afterBackup: '1s',
        backup: { run: 'true', destroy: `${admin} delete pods -l app=demo --wait=false`, restore: 'true' },
      },
    });
    const rbac = await goliveCli(['rbac'], dir);
    assert.equal(rbac.code, 0, rbac.out);
    await bind(rbac.out);
    const since = new Date().toISOString();
    const ran = await goliveCli(['run', '--allow-destroy'], dir);
    assert.equal(ran.code, 0, ran.out.slice(-3000));
    const audited = await goliveCli(['audit', '-c', 'golive.config.json', '--cluster', '--fail-on', 'none'], dir);
    assert.equal(audited.code, 0, audited.out.slice(-3000));
    for (const n of await nodesNow(cluster)) assert.ok(!n.spec?.unschedulable, `${n.metadata.name} uncordoned`);

    const used = new Set(
      auditOf(cluster.cp.auditLog, USER, since).map((e) =>
        key(e.verb, e.objectRef!.apiGroup ?? '', e.objectRef!.subresource ? `${e.objectRef!.resource}/${e.objectRef!.subresource}` : e.objectRef!.resource),
      ),
    );
    const granted = new Set<string>();
    for (const doc of parseAllDocuments(rbac.out).map((d) => d.toJS() as { rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[] }))
      for (const r of doc.rules) for (const g of r.apiGroups) for (const res of r.resources) for (const v of r.verbs) granted.add(key(v, g, res));
    const denied = auditOf(cluster.cp.auditLog, USER, since).filter((e) => e.responseStatus?.code === 403);
    assert.deepEqual(denied, [], 'no request of golive was forbidden');
    assert.deepEqual([...used].sort(), [...granted].sort(), 'what golive used (audit log) equals what golive rbac printed');
  });

  test('with one rule removed, the SelfSubjectAccessReview precheck stops node-drain before any mutating request', async () => {
    writeConfig({ 'node-drain': { baseline: '1s', tail: '1s', timeout: '60s' } });
    const rbac = await goliveCli(['rbac'], dir);
    // The ClusterRole without pods/eviction: node-drain could cordon but never evict.
    const without = rbac.out.replace(/ {2}- apiGroups: \[""\]\n {4}resources: \["pods\/eviction"\]\n {4}verbs: \["create"\]\n/, '');
    assert.notEqual(without, rbac.out, 'the eviction rule was found and removed');
    await cluster.kubectl(['delete', 'clusterrole', 'golive']);
    await bind(without);
    const since = new Date().toISOString();
    const resultsBefore = readdirSync(path.join(dir, 'results')).sort();
    const ran = await goliveCli(['run'], dir);
    assert.notEqual(ran.code, 0);
    assert.match(ran.out, /pods\/eviction/);
    assert.deepEqual(readdirSync(path.join(dir, 'results')).sort(), resultsBefore, 'a run refused before any change leaves no results folder');
    const mutating = auditOf(cluster.cp.auditLog, USER, since).filter(
      (e) => ['create', 'update', 'patch', 'delete'].includes(e.verb) && e.objectRef!.resource !== 'selfsubjectaccessreviews',
    );
    assert.deepEqual(
      mutating.map((e) => `${e.verb} ${e.objectRef!.resource}`),
      [],
      'no mutating request reached the API server',
    );
    for (const n of await nodesNow(cluster)) assert.ok(!n.spec?.unschedulable, `${n.metadata.name} not cordoned`);
  });

  test("golive audit of manifests against this 1.20 server: the demo's current manifests are refused field by field (GL022), its 1.20 overlay passes", async () => {
    const root = path.resolve(import.meta.dirname, '../../..');
    const env = { KUBECONFIG: cluster.kubeconfig };
    const current = await golive(['audit', path.join(root, 'examples/demo-app/k8s'), '--namespace', DEMO_NAMESPACE, '--format', 'json'], { cwd: dir, env });
    assert.equal(current.code, 1, current.stdout + current.stderr);
    const ids = (JSON.parse(current.stdout) as { findings: { id: string; field: string; message: string }[] }).findings.filter((f) => f.id === 'GL022');
    assert.deepEqual(ids.map((f) => f.field).sort(), [
      'apiVersion',
      'spec.template.spec.containers.0.lifecycle.preStop.sleep',
      'spec.template.spec.topologySpreadConstraints.0.matchLabelKeys',
      'spec.template.spec.topologySpreadConstraints.1.matchLabelKeys',
    ]);
    assert.ok(
      ids.every((f) => f.message.includes('the server is v1.20.2')),
      JSON.stringify(ids),
    );
    const rendered = path.join(dir, 'demo-1.20.yaml');
    writeFileSync(rendered, await cluster.kubectl(['kustomize', path.join(root, 'examples/demo-app/k8s-1.20')]));
    const overlay = await golive(['audit', rendered, '--namespace', DEMO_NAMESPACE, '--format', 'json', '--fail-on', 'none'], { cwd: dir, env });
    assert.equal(overlay.code, 0, overlay.stdout + overlay.stderr);
    assert.deepEqual(
      (JSON.parse(overlay.stdout) as { findings: { id: string }[] }).findings.filter((f) => f.id === 'GL022'),
      [],
    );
  });
});
