/** A real Prometheus (Debian's `prometheus`) on loopback for a test: a temp config and storage, 1 s scrapes. */
import { freePort } from './free-port.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from './temp-dir.js';
import { waitForAsync } from './wait.js';

export const PROMETHEUS = '/usr/bin/prometheus';

export interface TestPrometheus {
  url: string;
  scrapeIntervalMs: number;
  /**
   * Resolves once Prometheus scrapes `target` (its `up` exists, 0 while nothing listens there): Prometheus
   * starts its scrape loops about 5 s after it starts, and a test must not begin before.
   */
  scraping(target: string): Promise<void>;
  close(): Promise<void>;
}

export async function startPrometheus(targets: string[]): Promise<TestPrometheus> {
  if (!existsSync(PROMETHEUS)) throw new Error(`${PROMETHEUS} is missing: apt-get install prometheus (the test's .ci/run does)`);
  const dir = tempDir('golive-prometheus-');
  const scrapeIntervalMs = 1000;
  writeFileSync(
    path.join(dir, 'prometheus.yml'),
    [
      'global: { scrape_interval: 1s, scrape_timeout: 900ms, evaluation_interval: 1s }',
      'scrape_configs:',
      '  - job_name: app',
      `    static_configs: [{ targets: [${targets.map((t) => `'${t}'`).join(', ')}] }]`,
      '',
    ].join('\n'),
  );
  const port = await freePort();
  const child: ChildProcess = spawn(
    PROMETHEUS,
    [
      `--config.file=${path.join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--web.console.templates=/dev/null',
      '--web.console.libraries=/dev/null',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  child.stderr!.on('data', (c: Buffer) => {
    if (log.length < 20_000) log += c.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const get = async (p: string): Promise<Response | undefined> => fetch(`${url}${p}`).catch(() => undefined);
  await waitForAsync('Prometheus ready', async () => (await get('/-/ready'))?.status === 200, 60_000).catch((err: Error) => {
    child.kill('SIGKILL');
    throw new Error(`${err.message}; its log: ${log.slice(-1000)}`);
  });
  return {
    url,
    scrapeIntervalMs,
    async scraping(target) {
      await waitForAsync(
        `Prometheus scraping ${target}`,
        async () => {
          const r = await get(`/api/v1/query?query=${encodeURIComponent(`up{instance="${target}"}`)}`);
          const body = r ? ((await r.json()) as { data?: { result?: { value: [number, string] }[] } }) : undefined;
          return body?.data?.result?.[0] !== undefined;
        },
        60_000,
      );
    },
    async close() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
