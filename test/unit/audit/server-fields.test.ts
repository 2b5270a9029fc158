import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { readManifestFiles } from '../../../src/audit/from-manifests.js';
import { fieldsTheServerLacks } from '../../../src/audit/server-fields.js';
import { drillsEndangeredBy } from '../../../src/drills/kinds.js';

const ROOT = path.resolve(import.meta.dirname, '../../../..');

test("GL022: the demo's current manifests against a 1.20 server name each field it lacks at its line; a 1.30 server lacks none", () => {
  const docs = readManifestFiles(['examples/demo-app/k8s'], ROOT);
  const found = fieldsTheServerLacks(docs, 'v1.20.2', drillsEndangeredBy);
  assert.deepEqual(
    found.map((f) => `${f.id} ${f.object} ${f.field} ${f.location?.file}:${f.location?.line}`),
    [
      'GL022 Deployment demo spec.template.spec.containers.0.lifecycle.preStop.sleep examples/demo-app/k8s/deployment.yaml:52',
      'GL022 Deployment demo spec.template.spec.topologySpreadConstraints.0.matchLabelKeys examples/demo-app/k8s/deployment.yaml:26',
      'GL022 Deployment demo spec.template.spec.topologySpreadConstraints.1.matchLabelKeys examples/demo-app/k8s/deployment.yaml:31',
      'GL022 PodDisruptionBudget demo apiVersion examples/demo-app/k8s/deployment.yaml:71',
    ],
  );
  assert.match(found[0]!.message, /^the preStop sleep action needs Kubernetes 1\.30; the server is v1\.20\.2 \(container app\)$/);
  assert.deepEqual(fieldsTheServerLacks(docs, 'v1.30.0', drillsEndangeredBy), []);
  assert.deepEqual(
    fieldsTheServerLacks(docs, 'v1.27.3', drillsEndangeredBy).map((f) => f.field),
    ['spec.template.spec.containers.0.lifecycle.preStop.sleep'],
  );
});
