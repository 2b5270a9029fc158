import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { RunResult } from '../../src/model/result.js';
import { golive, tempDir } from '../helpers/cli.js';
import { openPlan } from '../helpers/plan.js';
import { runEngine } from '../helpers/run-engine.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

describe('rate accuracy', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  test('2,000 req/s for 5 s: achieved within 1 %, per second too', async () => {
    const run = await runEngine(openPlan(server.url, 2000, 5000, { connections: 50 }), 2);
    assert.equal(run.requests.dropped, 0);
    assert.equal(run.requests.total, 10_000);
    const achieved = run.requests.total / (run.recording.durationMs / 1000);
    assert.ok(Math.abs(achieved - 2000) / 2000 < 0.01, `achieved ${achieved.toFixed(1)} req/s`);
    // Starts by intended time, from the 10 ms bins: every whole second holds 2,000 ± 1 %.
    for (let s = 0; s < 5; s++) {
      let n = 0;
      for (let b = s * 100; b < (s + 1) * 100; b++) n += (run.recording.binsOk[b] ?? 0) + (run.recording.binsFailed[b] ?? 0);
      assert.ok(Math.abs(n - 2000) <= 20, `second ${s}: ${n} starts`);
    }
  });
});

describe('the achieved rate, from when requests were really sent', () => {
  test('on schedule: every start sent within the planned length, error 0', async () => {
    const server = await startTestServer();
    try {
      const run = await runEngine(openPlan(server.url, 500, 2000, { connections: 20 }), 1);
      assert.equal(run.recording.sent, 1000);
      assert.ok(run.recording.lastSentMs! > 1990 && run.recording.lastSentMs! <= 2000, `last send at ${run.recording.lastSentMs} ms`);
    } finally {
      await server.close();
    }
  });

  test('a generator slowed down on purpose reports the rate it really sent, not the planned one', async () => {
    const server = await startTestServer();
    const cwd = tempDir('golive-rate-');
    try {
      // 10 ms of CPU per start: one thread can start ~100 of the 200 planned per second.
      const r = await golive(['load', server.url, '--rate', '200', '-d', '3s', '--threads', '1', '--out', cwd], {
        cwd,
        env: { GOLIVE_DEBUG_START_COST_MS: '10' },
      });
      const summary = JSON.parse(readFileSync(path.join(cwd, readdirSync(cwd)[0]!, 'summary.json'), 'utf8')) as RunResult;
      const g = summary.drills[0]!.generator;
      assert.ok(g.rate && g.rate.plannedRps === 200, JSON.stringify(g.rate));
      assert.ok(g.rate.achievedRps < 150, JSON.stringify(g.rate));
      assert.ok(g.rate.errorPct! < -25, JSON.stringify(g.rate));
      assert.equal(g.bound, true);
      assert.match(r.stdout, /the generator sent [\d.]+ req\/s of the 200 planned \(-\d/);
    } finally {
      await server.close();
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  test('an idle generator sleeps: 1,000 req/s costs a fraction of a core, not a spinning one', async () => {
    // The server in its own process, so this process's CPU time is the generator's alone.
    const server = spawn(
      process.execPath,
      ['-e', "require('http').createServer((q, r) => r.end('ok')).listen(0, '127.0.0.1', function () { console.log(this.address().port) })"],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      const [line] = (await once(server.stdout, 'data')) as [Buffer];
      let before: NodeJS.CpuUsage | undefined;
      // From time zero on: the workers' start-up is not the generator's waiting.
      const run = await runEngine(openPlan(`http://127.0.0.1:${line.toString().trim()}/`, 1000, 3000, { connections: 20 }), 1, () => {
        before = process.cpuUsage();
      });
      const used = process.cpuUsage(before);
      const cpuMs = (used.user + used.system) / 1000;
      assert.equal(run.requests.total, 3000);
      // Spinning until each start (setImmediate while it was under 1 ms away) took most of a core here,
      // ~2,500 ms of CPU in these 3 s; sleeping until each start costs one wake-up per start.
      assert.ok(cpuMs < 1200, `the generator used ${cpuMs.toFixed(0)} ms of CPU in 3 s`);
    } finally {
      server.kill();
    }
  });
});
