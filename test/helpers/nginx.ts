/** A real nginx (Debian's) on loopback for a test: one worker, a temp prefix, the server blocks given. */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { tempDir } from './temp-dir.js';
import { waitForAsync } from './wait.js';

export const NGINX = '/usr/sbin/nginx';

export interface TestNginx {
  dir: string;
  /** The access log so far (the format is the caller's). */
  accessLog(): string;
  close(): Promise<void>;
}

/** `servers` are nginx `server { … }` blocks; `logFormat` is used by `access_log access.log main`. */
export async function startNginx(servers: string, ports: number[], logFormat = '$connection $server_protocol $status'): Promise<TestNginx> {
  if (!existsSync(NGINX)) throw new Error(`${NGINX} is missing: apt-get install nginx (the test's .ci/run does)`);
  const dir = tempDir('golive-nginx-');
  writeFileSync(
    path.join(dir, 'nginx.conf'),
    `worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log;
events { worker_connections 1024; }
http {
  log_format main '${logFormat}';
  access_log ${dir}/access.log main;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  default_type text/plain;
  ${servers}
}
`,
  );
  const child = spawn(NGINX, ['-c', path.join(dir, 'nginx.conf'), '-p', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => {
    if (stderr.length < 10_000) stderr += c.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const accepts = (port: number): Promise<boolean> =>
    new Promise((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
  await waitForAsync('nginx listening', async () => (await Promise.all(ports.map(accepts))).every(Boolean), 30_000).catch((err: Error) => {
    child.kill('SIGKILL');
    throw new Error(`${err.message}; nginx said: ${stderr}`);
  });
  return {
    dir,
    accessLog: () => (existsSync(path.join(dir, 'access.log')) ? readFileSync(path.join(dir, 'access.log'), 'utf8') : ''),
    close: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
