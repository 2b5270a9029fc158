import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../../../src/config/load-config.js';
import { resolveSettings } from '../../../src/config/precedence.js';
import { buildDrills } from '../../../src/run/plan.js';
import { InputError } from '../../../src/errors.js';
import { tempDir } from '../../helpers/temp-dir.js';

/** Writes `text` as `name` in a fresh folder, validates it as `golive validate` does, returns the error's message. */
async function errorOf(name: string, text: string): Promise<string> {
  const dir = tempDir('golive-config-');
  writeFileSync(path.join(dir, name), text);
  try {
    buildDrills({ loaded: await loadConfig({ cwd: dir }) });
  } catch (err) {
    assert.ok(err instanceof InputError, `expected an InputError, got ${String(err)}`);
    return err.message;
  }
  assert.fail('expected the config to be rejected');
}

const cases: { name: string; file: string; text: string; message: string }[] = [
  {
    name: 'every problem at once, with lines, in YAML',
    file: 'golive.config.yaml',
    text: 'target:\n  url: ftp://example.com\nload:\n  rate: fast\n  requets: []\n  executor: constant-vu\n',
    message: [
      'golive.config.yaml has 4 problems:',
      '  ✖ line 2, target.url: expected an http:// or https:// URL, received "ftp://example.com"',
      "  ✖ line 6, load.executor: expected one of 'constant-arrival-rate', 'ramping-arrival-rate', 'constant-vus', 'ramping-vus', received \"constant-vu\" (did you mean 'constant-vus'?)",
      "  ✖ line 4, load.rate: expected a rate in requests per second like 200 or '200/s' (or '600/m'), received \"fast\"",
      '  ✖ line 5, load: unknown key "requets" (did you mean "requests"?); allowed here: executor, rate, startRate, vus, stages, thinkTime, duration, connections, maxInFlight, timeout, threads, workers, headers, requests, journeys, data, generator',
    ].join('\n'),
  },
  {
    name: 'a missing target in JSON',
    file: 'golive.config.json',
    text: '{ "name": "x" }',
    message:
      "golive.config.json has a problem:\n  ✖ line 1, target: required: expected { url: 'https://…' } (or a platform: { kind: 'local', … } whose proxy is the target)",
  },
  {
    name: 'bad durations and thresholds',
    file: 'golive.config.json',
    text: JSON.stringify({ target: { url: 'http://localhost' }, load: { duration: '30', timeout: 'soon' }, thresholds: ['p95<300'] }, null, 1),
    message: [
      'golive.config.json has 3 problems:',
      "  ✖ line 6, load.duration: expected a duration like '30s', '1m30s' or '250ms', received \"30\"",
      "  ✖ line 7, load.timeout: expected a duration like '30s', '1m30s' or '250ms', received \"soon\"",
      "  ✖ line 10, thresholds.0: expected a threshold like 'p(95)<300', 'avg<200', 'max<2s', 'rate(failed)<0.001', 'count(http_5xx)==0' or 'rps>=190', received \"p95<300\"",
    ].join('\n'),
  },
  {
    name: 'executor needs',
    file: 'golive.config.yaml',
    text: 'target: { url: "http://localhost" }\nload: { executor: ramping-arrival-rate }\n',
    message:
      "golive.config.yaml has a problem:\n  ✖ line 2, load.stages: executor 'ramping-arrival-rate' needs stages: [{ duration: '30s', target: 100 }, ...]",
  },
  {
    name: 'YAML syntax',
    file: 'golive.config.yaml',
    text: 'target:\n  url: "http://x\n',
    message: 'golive.config.yaml has a problem:\n  ✖ line 3: not valid YAML: Missing closing "quote',
  },
  {
    name: 'TypeScript config that throws',
    file: 'golive.config.ts',
    text: "const n: number = 1;\nthrow new Error('boom ' + n);\n",
    message: 'golive.config.ts has a problem:\n  ✖ could not load: boom 1',
  },
  {
    name: 'a templated placeholder that does not exist',
    file: 'golive.config.json',
    text: JSON.stringify({ target: { url: 'http://localhost' }, load: { requests: [{ url: '/x/{{sku}}' }] } }),
    message:
      "golive.config.json has a problem:\n  ✖ line 1, load.requests.0.url: unknown placeholder {{sku}}: placeholders are {{seq}}, {{ts}}, {{uuid}}, {{randomInt MIN MAX}}, {{env.NAME}}, {{data.FIELD}} and {{vars.NAME}} or {{vars.NAME|url}} (journeys); {{'{{'}} writes a literal {{",
  },
  {
    name: 'a journey step using a variable no earlier step extracts, at its line',
    file: 'golive.config.yaml',
    text: [
      "target: { url: 'http://localhost' }",
      'load:',
      '  journeys:',
      '    - name: checkout',
      '      steps:',
      '        - url: /login',
      "          extract: { token: { jsonPath: '$.token' } }",
      '        - url: /cart',
      "          headers: { authorization: 'Bearer {{vars.tokn}}' }",
      '        - url: /orders/{{vars.order}}',
      '',
    ].join('\n'),
    message: [
      'golive.config.yaml has 2 problems:',
      '  ✖ line 9, load.journeys.0.steps.1.headers.authorization: {{vars.tokn}}: no earlier step of this journey extracts "tokn" (earlier steps extract: token)',
      '  ✖ line 10, load.journeys.0.steps.2.url: {{vars.order}}: no earlier step of this journey extracts "order" (earlier steps extract: token)',
    ].join('\n'),
  },
  {
    name: 'journeys: a bad regex, think min above max, an unknown extractor',
    file: 'golive.config.yaml',
    text: [
      "target: { url: 'http://localhost' }",
      'load:',
      '  journeys:',
      '    - name: j',
      '      steps:',
      '        - extract: { csrf: { regex: \'value="([^"]+\' } }',
      '          think: { min: 2s, max: 1s }',
      "        - extract: { x: { xpath: '//a' } }",
      '',
    ].join('\n'),
    message: [
      'golive.config.yaml has 3 problems:',
      '  ✖ line 6, load.journeys.0.steps.0.extract.csrf.regex: expected a regular expression, received "value=\\"([^\\"]+": Invalid regular expression: /value="([^"]+/: Unterminated group',
      '  ✖ line 7, load.journeys.0.steps.0.think: think: min must not be above max',
      `  ✖ line 8, load.journeys.0.steps.1.extract.x: expected { jsonPath: '$.token' }, { regex: 'name="csrf" value="([^"]+)"' }, { header: 'location' } or { cookie: 'session' }`,
    ].join('\n'),
  },
  {
    name: 'journeys with load.generator',
    file: 'golive.config.yaml',
    text: "target: { url: 'http://localhost' }\nload:\n  generator: { kind: k6, script: s.js }\n  journeys: [{ name: j, steps: [{ url: / }] }]\n",
    message:
      "golive.config.yaml has a problem:\n  ✖ line 3, load.generator: journeys run in golive's own engine and load.generator runs your tool instead: keep one of them",
  },
  {
    name: 'a variable outside a journey, two steps of one name, two journeys of one name',
    file: 'golive.config.yaml',
    text: [
      "target: { url: 'http://localhost' }",
      'load:',
      "  requests: [{ url: '/{{vars.x}}' }]",
      '  journeys:',
      '    - { name: j, steps: [{ url: /a }, { url: /a }] }',
      '    - { name: j, steps: [{ url: /b }] }',
      '',
    ].join('\n'),
    message: [
      'golive.config.yaml has 3 problems:',
      "  ✖ line 3, load.requests.0.url: {{vars.x}}: variables come from a journey's earlier steps (load.journeys[].steps[].extract)",
      '  ✖ line 5, load.journeys.0.steps: two steps are named "GET /a": give each step its own name',
      '  ✖ line 6, load.journeys.1.name: another journey is named "j"',
    ].join('\n'),
  },
  {
    name: 'reporters accept only what they honour',
    file: 'golive.config.yaml',
    text: "target: { url: 'http://localhost' }\nreporters: [html, pdf, [terminal, { outputFile: t.txt }]]\n",
    message: [
      'golive.config.yaml has 2 problems:',
      "  ✖ line 2, reporters.1: expected 'terminal', 'json', 'html', 'junit', 'markdown', or [name, { outputFile: '…' }] for a file report, received \"pdf\"",
      "  ✖ line 2, reporters.2: expected 'terminal', 'json', 'html', 'junit', 'markdown', or [name, { outputFile: '…' }] for a file report, received an array (2 items)",
    ].join('\n'),
  },
  {
    name: 'an unknown key points at its own line; a bare number for a duration asks for the unit',
    file: 'golive.config.yaml',
    text: "target: { url: 'http://localhost' }\nplatform:\n  kind: local\n  app:\n    command: node s.js\n    terminationGrace: 30\n    readyness: {}\n",
    message: [
      'golive.config.yaml has 2 problems:',
      "  ✖ line 6, platform.app.terminationGrace: a duration needs its unit: write '30s' or '30ms' (received the bare number 30)",
      '  ✖ line 7, platform.app: unknown key "readyness" (did you mean "readiness"?); allowed here: command, cwd, env, replicas, resources, readiness, terminationGrace, startTimeout, strategy, spread, dataDir, backup, disruptionBudget, zones',
    ].join('\n'),
  },
  {
    name: "a custom drill's action with a wrong value: the error is the action's own, at its path",
    file: 'golive.config.yaml',
    text: "target: { url: 'http://localhost' }\ndrills:\n  mine:\n    kind: custom\n    actions:\n      - killReplicas: 1\n      - waitUntilReady: true\n      - sleep: 60\n      - waitUntilRedy: 60s\n",
    message: [
      'golive.config.yaml has 3 problems:',
      "  ✖ line 7, drills.mine.actions.1.waitUntilReady: expected a duration like '30s', '1m30s' or '250ms', received true",
      "  ✖ line 8, drills.mine.actions.2.sleep: a duration needs its unit: write '60s' or '60ms' (received the bare number 60)",
      '  ✖ line 9, drills.mine.actions.3: expected an action: { rollout }, { drainNode }, { failZone }, { restoreZone }, { scale }, { killReplicas }, { run }, { manual }, { waitUntilReady } or { sleep }; received { waitUntilRedy } (did you mean "waitUntilReady"?)',
    ].join('\n'),
  },
  {
    name: 'a key given twice',
    file: 'golive.config.yaml',
    text: "target: { url: 'http://localhost' }\nload:\n  rate: 5\n  rate: 6\n",
    message: 'golive.config.yaml has a problem:\n  ✖ line 4: the key "rate" is given twice in the same mapping: only one can count',
  },
  {
    name: 'a YAML alias bomb is refused, not expanded',
    file: 'golive.config.yaml',
    text: `a: &a [x, x, x, x, x, x, x, x, x]\n${Array.from(
      { length: 8 },
      (_, i) =>
        `l${i + 1}: &l${i + 1} [${Array(9)
          .fill(i === 0 ? '*a' : `*l${i}`)
          .join(', ')}]`,
    ).join('\n')}\ntarget: { url: 'http://localhost' }\n`,
    message: 'golive.config.yaml has a problem:\n  ✖ refused: Excessive alias count indicates a resource exhaustion attack (more than 100 alias expansions)',
  },
  {
    name: 'a function where a value belongs',
    file: 'golive.config.ts',
    text: "export default { target: { url: 'http://localhost' }, load: { rate: () => 5 } };\n",
    message: 'golive.config.ts has a problem:\n  ✖ load.rate: received a function, which is not of an allowed form',
  },
  {
    name: 'a TypeScript syntax error names its line and column',
    file: 'golive.config.ts',
    text: "export default { target: { url: 'http://x' }\nconst = ;\n",
    message: 'golive.config.ts has a problem:\n  ✖ line 2: could not load: ParseError: Unexpected token, expected "," (column 0)',
  },
  {
    name: 'a config over 1 MiB',
    file: 'golive.config.yaml',
    text: `target: { url: 'http://localhost' }\n# ${'x'.repeat(1_100_000)}\n`,
    message: 'golive.config.yaml has a problem:\n  ✖ is 1.0 MiB: a config is at most 1 MiB (put large data in load.data files)',
  },
  {
    name: 'kubernetes workloads: both forms at once',
    file: 'golive.config.yaml',
    text: [
      "target: { url: 'http://localhost' }",
      'platform:',
      '  kind: kubernetes',
      '  namespace: shop',
      '  workload: { name: web }',
      '  workloads: [{ name: web }]',
    ].join('\n'),
    message:
      'golive.config.yaml has a problem:\n  ✖ line 6, platform.workloads: give workload (one) or workloads (several), not both: workloads: [{ kind, name }, …] lists the one workload too',
  },
  {
    name: 'kubernetes workloads: a selector in Prometheus form',
    file: 'golive.config.yaml',
    text: "target: { url: 'http://localhost' }\nplatform: { kind: kubernetes, namespace: shop, workloads: { selector: 'app in (web,api' } }\n",
    message:
      'golive.config.yaml has a problem:\n  ✖ line 2, platform.workloads.selector: expected a label selector like \'app.kubernetes.io/part-of=shop\': "app in (web,api" is not a requirement: expected key=value, key!=value, key in (a,b), key notin (a,b), key or !key',
  },
  {
    name: 'kubernetes workloads: a name twice and an entry not listed',
    file: 'golive.config.json',
    text: JSON.stringify(
      {
        target: { url: 'http://localhost' },
        platform: { kind: 'kubernetes', namespace: 'shop', entry: 'front', workloads: [{ name: 'api' }, { kind: 'StatefulSet', name: 'api' }] },
      },
      null,
      1,
    ),
    message: [
      'golive.config.json has 2 problems:',
      '  ✖ line 15, platform.workloads.1.name: "api" is listed twice: each workload is a component, named by its name',
      '  ✖ line 8, platform.entry: "front" is not one of the workloads (api): entry names the workload users\' traffic reaches first',
    ].join('\n'),
  },
];

for (const c of cases) {
  test(`config error: ${c.name}`, async () => {
    assert.equal(await errorOf(c.file, c.text), c.message);
  });
}

test('a TypeScript config loads with its types', async () => {
  const dir = tempDir('golive-config-');
  writeFileSync(path.join(dir, 'golive.config.ts'), "const rate: number = 75;\nexport default { target: { url: 'http://127.0.0.1:1' }, load: { rate } };\n");
  const { config } = await loadConfig({ cwd: dir });
  assert.equal(config.load.rate, 75);
  assert.equal(config.load.duration, 30_000);
});

test('CLI and environment override the file, and go through the same checks', async () => {
  const dir = tempDir('golive-config-');
  writeFileSync(path.join(dir, 'golive.config.json'), JSON.stringify({ target: { url: 'http://127.0.0.1:1' }, load: { rate: 10 } }));
  const { config } = await loadConfig({ cwd: dir, overrides: { 'load.rate': '300/s', 'load.duration': '5s' } });
  assert.equal(config.load.rate, 300);
  assert.equal(config.load.duration, 5000);
  await assert.rejects(loadConfig({ cwd: dir, overrides: { 'load.rate': 'lots' } }), /load\.rate: expected a rate/);
});

test('precedence in one place: the command line over GOLIVE_* over the file; errors name the flag or variable', async () => {
  const dir = tempDir('golive-config-');
  writeFileSync(path.join(dir, 'golive.config.json'), JSON.stringify({ target: { url: 'http://127.0.0.1:1' }, load: { rate: 10, duration: '9s' } }));
  const settings = resolveSettings({ GOLIVE_RATE: '20', GOLIVE_DURATION: '1s' }, { 'load.duration': { value: '4s', flag: '--duration' } });
  const { config } = await loadConfig({ cwd: dir, overrides: settings.overrides, origins: settings.origins });
  assert.equal(config.load.rate, 20, 'GOLIVE_RATE over the file');
  assert.equal(config.load.duration, 4000, '--duration over GOLIVE_DURATION');
  const bad = resolveSettings({ GOLIVE_RATE: 'abc' }, { 'load.duration': { value: 'soon', flag: '--duration' } });
  await assert.rejects(loadConfig({ cwd: dir, overrides: bad.overrides, origins: bad.origins }), (err: Error) => {
    assert.match(err.message, /✖ GOLIVE_RATE \(load\.rate\): expected a rate/);
    assert.match(err.message, /✖ --duration \(load\.duration\): expected a duration/);
    return true;
  });
});

test('a config folder instead of a file, and a config that never finishes loading', async () => {
  const dir = tempDir('golive-config-');
  mkdirSync(path.join(dir, 'golive.config.yaml'));
  await assert.rejects(
    loadConfig({ cwd: dir }),
    /golive\.config\.yaml has a problem:\n {2}✖ is a folder, not a config file: give a file \(golive\.config\.ts, .*\) with -c/,
  );
  writeFileSync(path.join(dir, 'hangs.mjs'), 'await new Promise(() => {});\nexport default {};\n');
  await assert.rejects(
    loadConfig({ cwd: dir, file: 'hangs.mjs', loadTimeoutMs: 500 }),
    /hangs\.mjs has a problem:\n {2}✖ did not finish loading within 0\.5 s: a top-level await that never settles\?/,
  );
});

test('components: an unknown one in a template or entry, a reference cycle, a probe of no kind, a zone the cluster lacks: each named at its place', async () => {
  const text = [
    'platform:',
    '  kind: local',
    '  entry: frnt',
    '  cluster: { zones: 2 }',
    '  components:',
    "    front: { command: 'node front.js', env: { API_URL: '{{components.apii.url}}' } }",
    "    api: { command: 'node api.js', env: { CACHE: '{{components.cache.url}}' }, readiness: { path: /readyz, tcp: true } }",
    "    cache: { command: 'node cache.js', env: { API: '{{components.api.host}}' }, zones: [zone-c] }",
    '',
  ].join('\n');
  assert.equal(
    await errorOf('golive.config.yaml', text),
    [
      'golive.config.yaml has 5 problems:',
      '  ✖ line 7, platform.components.api.readiness: a probe is one of path (HTTP), tcp: true or exec: a command, not several',
      '  ✖ line 3, platform.entry: no component "frnt"; the components are front, api, cache',
      '  ✖ line 6, platform.components.front.env.API_URL: no component "apii" (in front\'s env); the components are front, api, cache',
      '  ✖ line 8, platform.components.cache.zones: no zone "zone-c": the cluster\'s zones are zone-a, zone-b',
      "  ✖ line 7, platform.components.api: components refer to each other in a cycle (api → cache → api): one of them must start without the other's address",
    ].join('\n'),
  );
});

test('components: several without an entry, and app-update of a component the config does not declare', async () => {
  const two = "platform:\n  kind: local\n  components:\n    front: { command: 'node f.js' }\n    api: { command: 'node a.js' }\n";
  assert.match(await errorOf('golive.config.yaml', two), /✖ line 2, platform\.entry: which component do users reach\? set entry to one of front, api/);
  const dir = tempDir('golive-config-');
  writeFileSync(path.join(dir, 'golive.config.yaml'), `${two}  entry: front\ndrills:\n  app-update: { component: apy }\n`);
  const loaded = await loadConfig({ cwd: dir });
  assert.throws(() => buildDrills({ loaded }), /drills\.app-update\.component: no component "apy"; the components are front, api \(or 'each'\)/);
});
