import assert from 'node:assert/strict';
import { loadDrillKind } from '../../src/drills/kinds.js';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { analyzeDrill } from '../../src/analysis/analyze-drill.js';
import { createRecordingHistogram, mergeEncoded } from '../../src/model/histogram.js';
import { openPlan } from '../helpers/plan.js';
import { runEngine } from '../helpers/run-engine.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { tempDir } from '../helpers/temp-dir.js';

describe('scale-out: load workers as separate processes, merged exactly', () => {
  let server: TestServer;
  before(async () => {
    // Latencies spread over 0–8 ms so percentiles have something to get wrong.
    server = await startTestServer((_req, res, n) => setTimeout(() => res.end('ok'), n % 9));
  });
  after(() => server.close());

  test('4 process workers at 2,000 req/s: totals equal the server count, the merged p99 equals one histogram of every request, arrivals even', async () => {
    const dir = tempDir('golive-latency-log-');
    process.env['GOLIVE_DEBUG_LATENCY_DIR'] = dir;
    const start = server.received;
    let run;
    try {
      run = await runEngine(openPlan(server.url, 2000, 4000, { connections: 40 }), 4, undefined, 'processes');
    } finally {
      delete process.env['GOLIVE_DEBUG_LATENCY_DIR'];
    }
    assert.equal(run.requests.total, 8000);
    assert.equal(run.requests.dropped, 0);
    assert.equal(server.received - start, 8000, 'the server saw every request once');
    assert.equal(run.recording.workers.kind, 'processes');
    assert.equal(run.recording.workers.startOffsetsMs.filter((o) => o !== null).length, 4);

    // One histogram from every request's latency, as each worker recorded it.
    const files = readdirSync(dir);
    assert.equal(files.length, 4, 'one latency log per worker process');
    const single = createRecordingHistogram();
    for (const f of files)
      for (const line of readFileSync(path.join(dir, f), 'utf8').trim().split('\n')) single.record(Math.max(1, Number(line.split(' ')[1])));
    const merged = mergeEncoded(run.recording.seconds.map((s) => s.latency).filter(Boolean));
    assert.equal(merged.totalCount, single.totalCount);
    for (const p of [50, 90, 99, 99.9]) assert.equal(merged.getValueAtPercentile(p), single.getValueAtPercentile(p), `p${p}`);

    // Arrivals by intended start: 20 per 10 ms bin, every bin, also where one worker's segment meets the next.
    const perBin = Array.from({ length: 400 }, (_, b) => (run.recording.binsOk[b] ?? 0) + (run.recording.binsFailed[b] ?? 0));
    assert.deepEqual([Math.min(...perBin), Math.max(...perBin)], [20, 20]);
  });

  test('a worker killed mid-run is reported and its remaining starts count as dropped', async () => {
    let killed = false;
    const run = await runEngine(
      openPlan(server.url, 400, 3000),
      2,
      () => {
        setTimeout(() => {
          // The second worker process: the newest `process-main.js` child of this process.
          const pids = readdirSync('/proc')
            .filter((p) => /^\d+$/.test(p))
            .filter((p) => {
              try {
                return (
                  readFileSync(`/proc/${p}/cmdline`, 'latin1').includes('process-main.js') &&
                  readFileSync(`/proc/${p}/stat`, 'latin1').split(') ')[1]!.split(' ')[1] === String(process.pid)
                );
              } catch {
                return false;
              }
            })
            .map(Number)
            .sort((a, b) => a - b);
          process.kill(pids[1]!, 'SIGKILL');
          killed = true;
        }, 1500);
      },
      'processes',
    );
    assert.ok(killed);
    const lost = run.recording.workers.lost;
    assert.equal(lost.length, 1);
    assert.equal(lost[0]!.index, 1);
    assert.match(lost[0]!.reason, /killed by SIGKILL/);
    // Worker 1 carries 200 req/s; killed about 1.5 s into 3 s, its last report covered up to 1 s: from there, 400.
    assert.ok(lost[0]!.droppedStarts >= 300 && lost[0]!.droppedStarts <= 400, `${lost[0]!.droppedStarts} dropped`);
    const result = analyzeDrill({
      name: 'load',
      kind: 'load',
      defaultObjectives: loadDrillKind.defaultObjectives,
      startedAt: '',
      recording: run.recording,
      events: [],
      phases: [],
      objectives: {},
      thresholds: [],
      load: {
        model: 'open',
        executor: 'constant-arrival-rate',
        targetRps: 400,
        durationMs: 3000,
        connections: 20,
        threads: 1,
        workers: { kind: 'processes', count: 2 },
      },
    });
    assert.equal(result.generator.bound, true);
    assert.ok(result.requests.dropped >= lost[0]!.droppedStarts);
    assert.match(
      result.generator.warnings.join('\n'),
      /load worker 1 of 2 \(processes\) killed by SIGKILL at 1\.\d s: the \d+ starts of its segment from its last report on are missing from the results and counted as dropped/,
    );
  });
});
