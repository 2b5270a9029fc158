import { drillsEndangeredBy } from '../../../src/drills/kinds.js';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { audit } from '../../../src/audit/audit.js';
import { diagnose } from '../../../src/audit/diagnose.js';
import { localToAudit } from '../../../src/audit/from-local.js';
import { runRules } from '../../../src/audit/rules.js';
import { toSarif } from '../../../src/audit/sarif.js';
import { demoConfig } from '../../../src/cli/demo.js';
import { validateConfig } from '../../../src/config/load-config.js';
import type { RunResult } from '../../../src/model/result.js';

const FIXTURES = path.resolve(import.meta.dirname, '../../../../test/fixtures');

test('every rule fires on the bad manifests, each at the exact file and line', async () => {
  const { findings } = await audit({ endangers: drillsEndangeredBy, cwd: FIXTURES, paths: ['audit/bad.yaml'] });
  assert.deepEqual(
    findings.map((f) => `${f.id} ${f.object} ${f.location?.file}:${f.location?.line}`),
    [
      'GL001 Deployment prod/shop audit/bad.yaml:8',
      'GL003 Deployment prod/shop audit/bad.yaml:10',
      'GL005 Deployment prod/shop audit/bad.yaml:18',
      'GL007 Deployment prod/shop audit/bad.yaml:18',
      'GL008 Deployment prod/shop audit/bad.yaml:2',
      'GL013 Deployment prod/shop audit/bad.yaml:18',
      'GL014 Deployment prod/shop audit/bad.yaml:18',
      'GL016 Deployment prod/shop audit/bad.yaml:24',
      'GL017 Deployment prod/shop audit/bad.yaml:26',
      'GL018 Deployment prod/shop audit/bad.yaml:19',
      'GL019 Deployment prod/shop audit/bad.yaml:20',
      'GL002 Deployment prod/api audit/bad.yaml:77',
      'GL004 Deployment prod/api audit/bad.yaml:39',
      'GL006 Deployment prod/api audit/bad.yaml:51',
      'GL009 Deployment prod/api audit/bad.yaml:66',
      'GL011 Deployment prod/api audit/bad.yaml:46',
      'GL012 Deployment prod/api audit/bad.yaml:46',
      'GL018 Deployment prod/api audit/bad.yaml:49',
      'GL007 Deployment prod/worker audit/bad.yaml:101',
      'GL010 Deployment prod/worker audit/bad.yaml:120',
    ],
  );
  const gl009 = findings.find((f) => f.id === 'GL009')!;
  assert.deepEqual(gl009.drills, ['node-drain']);
  assert.match(gl009.fix, /minAvailable: 2/);
});

test('the good manifests have no finding; stdin (kustomize build | golive audit -) reads the same', async () => {
  assert.deepEqual((await audit({ endangers: drillsEndangeredBy, cwd: FIXTURES, paths: ['audit/good.yaml'] })).findings, []);
  const piped = await audit({ endangers: drillsEndangeredBy, cwd: FIXTURES, stdin: readFileSync(path.join(FIXTURES, 'audit/bad.yaml'), 'utf8') });
  assert.equal(piped.findings.length, 20);
  assert.equal(piped.findings[0]!.location?.file, '<stdin>');
});

test('SARIF 2.1.0: valid against the schema, every result on its file and line', async () => {
  const { findings } = await audit({ endangers: drillsEndangeredBy, cwd: FIXTURES, paths: ['audit/bad.yaml'] });
  const sarif = toSarif(findings) as {
    runs: {
      results: { ruleId: string; locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[] }[];
      tool: { driver: { rules: { id: string }[]; informationUri?: string } };
    }[];
  };
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  const validate = ajv.compile(JSON.parse(readFileSync(path.join(FIXTURES, 'sarif-2.1.0-subset.schema.json'), 'utf8')) as object);
  assert.equal(validate(sarif), true, JSON.stringify(validate.errors));
  const run = sarif.runs[0]!;
  assert.deepEqual(run.results.map((r) => `${r.ruleId}@${r.locations[0]!.physicalLocation.region.startLine}`).slice(0, 3), ['GL001@8', 'GL003@10', 'GL005@18']);
  assert.equal(run.results[0]!.locations[0]!.physicalLocation.artifactLocation.uri, 'audit/bad.yaml');
  assert.equal(run.tool.driver.rules.length, 18, 'every rule but N-1 headroom and undeclared objects, which need a live cluster');
  assert.equal(run.tool.driver.informationUri, undefined, 'golive has no project page to point to: none is invented');
  // The schema check can fail: a result without a message is rejected.
  assert.equal(validate({ ...sarif, runs: [{ ...run, results: [{ ruleId: 'GL001' }] }] }), false);
});

test('the naive demo config: its findings explain each failed drill of a recorded naive run', () => {
  const naive = validateConfig(demoConfig('/tmp/demo', true), undefined);
  const local = naive.platform!;
  assert.equal(local.kind, 'local');
  const findings = runRules(localToAudit(local, undefined), drillsEndangeredBy);
  // Every component of the naive shop: one replica, replaced all at once, no disruption budget; the store pinned to one zone.
  assert.deepEqual(
    findings.map((f) => `${f.id} ${f.object}`),
    [...['front', 'api', 'store'].flatMap((c) => ['GL001', 'GL003', 'GL008'].map((id) => `${id} LocalApp local/${c}`)), 'GL023 LocalApp local/store'],
  );
  const good = validateConfig(demoConfig('/tmp/demo', false), undefined);
  assert.deepEqual(runRules(localToAudit(good.platform as never, undefined), drillsEndangeredBy), [], 'the well-built demo has nothing to fix');

  const recorded = JSON.parse(readFileSync(path.join(FIXTURES, 'naive-demo-summary.json'), 'utf8')) as RunResult;
  const explained: Record<string, string[]> = {};
  for (const d of recorded.drills) {
    const ids = diagnose(d, findings).map((f) => f.id);
    if (ids.length > 0) explained[d.name] = ids;
  }
  // The api's update is explained by the api's findings alone; the zone and the node took every component.
  assert.deepEqual(explained, {
    'app-update': ['GL001', 'GL003'],
    'zone-outage': ['GL001', 'GL001', 'GL001', 'GL023'],
    'node-drain': ['GL001', 'GL008', 'GL001', 'GL008', 'GL001', 'GL008'],
  });
  const why = diagnose(recorded.drills.find((d) => d.name === 'app-update')!, findings)[1]!;
  assert.match(why.message, /^explains outage window 3\.0–3\.\d s: LocalApp local\/api: strategy Recreate stops every pod before starting the new ones$/);
});

test('manifests only (no server version): each fix that depends on the version says which version it is for, and the older form', async () => {
  const manifest = `apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: web, namespace: shop }\nspec:\n  replicas: 3\n  selector: { matchLabels: { app: web } }\n  template:\n    metadata: { labels: { app: web } }\n    spec:\n      containers: [{ name: app, image: demo:1 }]\n`;
  const { findings } = await audit({ endangers: drillsEndangeredBy, cwd: FIXTURES, stdin: manifest });
  const fix = (id: string): string => findings.find((f) => f.id === id)!.fix;
  assert.match(fix('GL008'), /^apiVersion: policy\/v1\n[^]*\n# for Kubernetes 1\.21 and newer; before 1\.21: apiVersion: policy\/v1beta1$/);
  assert.match(
    fix('GL007'),
    /preStop: \{ sleep: \{ seconds: 5 \} \}\n# for Kubernetes 1\.30 and newer; before 1\.30: preStop: \{ exec: \{ command: \[sleep, "5"\] \} \}/,
  );
  for (const id of ['GL011', 'GL012'])
    assert.match(fix(id), /matchLabelKeys: \[pod-template-hash\]\n# for Kubernetes 1\.27 and newer; before 1\.27: without matchLabelKeys$/, id);
  // A fix that does not depend on the version says nothing of it.
  assert.doesNotMatch(fix('GL013'), /Kubernetes/);
});

test("the local platform's audit covers every component: a one-replica store pinned to one zone endangers zone-outage and names the component", () => {
  const system = validateConfig(
    {
      platform: {
        kind: 'local',
        entry: 'front',
        components: {
          front: { command: 'node front.js', replicas: 2, readiness: { path: '/readyz' } },
          store: { command: 'redis-server', replicas: 1, readiness: { tcp: true }, zones: ['zone-a'] },
        },
      },
    },
    undefined,
  );
  const findings = runRules(localToAudit(system.platform as never, undefined), drillsEndangeredBy);
  const pinned = findings.find((f) => f.id === 'GL023');
  assert.ok(pinned, findings.map((f) => `${f.id} ${f.object}`).join('\n'));
  assert.equal(pinned.object, 'LocalApp local/store');
  assert.deepEqual(pinned.drills, ['zone-outage']);
  assert.match(pinned.message, /^store runs one replica that can run only in zone-a$/);
  assert.ok(!findings.some((f) => f.object === 'LocalApp local/front' && f.id === 'GL023'));
});
