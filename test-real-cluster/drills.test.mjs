// `npm run test:k8s`: the drills against a real cluster (kind, minikube, a cloud cluster) given KUBECONFIG,
// with the demo app's manifests. Skipped, with the reason, when no cluster is configured or reachable.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';

const root = path.resolve(import.meta.dirname, '..');
const kubeconfig = process.env.KUBECONFIG ?? path.join(homedir(), '.kube', 'config');
const reachable = existsSync(kubeconfig.split(':')[0]) && spawnSync('kubectl', ['version', '--request-timeout=5s'], { stdio: 'ignore' }).status === 0;
const why = !existsSync(kubeconfig.split(':')[0]) ? `no kubeconfig (KUBECONFIG or ${kubeconfig})` : 'the cluster did not answer `kubectl version`';

test(
  'app-update, node-drain and zone-outage against a real cluster',
  { skip: reachable ? false : `skipped: ${why}. See README "Kubernetes" to run against kind or a managed cluster.` },
  () => {
    execFileSync('kubectl', ['apply', '-k', path.join(root, 'examples/demo-app/k8s')], { stdio: 'inherit' });
    execFileSync('kubectl', ['-n', 'golive-demo', 'rollout', 'status', 'deployment/demo', '--timeout=300s'], { stdio: 'inherit' });
    const run = spawnSync(
      process.execPath,
      [path.join(root, 'bin/golive.js'), 'run', 'app-update', 'node-drain', 'zone-outage', '-c', 'examples/demo-app/k8s/golive.config.ts'],
      { cwd: root, stdio: 'inherit' },
    );
    assert.ok(run.status === 0 || run.status === 1, `golive ran every drill (exit ${run.status})`);
    const nodes = JSON.parse(execFileSync('kubectl', ['get', 'nodes', '-o', 'json'], { encoding: 'utf8' })).items;
    for (const n of nodes) {
      assert.ok(!n.spec.unschedulable, `${n.metadata.name} is left cordoned`);
      assert.ok(!(n.spec.taints ?? []).some((t) => t.key === 'golive.dev/zone-outage'), `${n.metadata.name} keeps golive's taint`);
    }
  },
);
