/**
 * A real Kubernetes control plane on loopback: etcd (Debian's etcd-server), kube-apiserver,
 * kube-controller-manager and kube-scheduler built from Debian's `kubernetes` source package
 * (build-kubernetes.sh). Free ports, so two can run at once; RBAC on; an audit log of every request.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { freePort } from '../helpers/free-port.js';
import { Rest } from './rest.js';

export const KUBERNETES_VERSION = process.env['GOLIVE_K8S_VERSION'] ?? '1.20.2';

/** Where build-kubernetes.sh caches the binaries, if they are there. */
export function kubernetesBinDir(): string | null {
  const dir = path.join(process.env['GOLIVE_K8S_CACHE'] ?? path.join(homedir(), '.cache', 'golive', `kubernetes-${KUBERNETES_VERSION}`), 'bin');
  const ok =
    ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler'].every((b) => existsSync(path.join(dir, b))) &&
    existsSync('/usr/bin/etcd') &&
    readFileSync(path.join(dir, 'VERSION'), { encoding: 'utf8', flag: 'r' }).trim() === `v${KUBERNETES_VERSION}`;
  return ok ? dir : null;
}

/** Why the real control plane cannot start here, or null when it can. */
export function controlPlaneMissing(): string | null {
  try {
    if (kubernetesBinDir()) return null;
  } catch {
    // no VERSION file
  }
  return `the Kubernetes ${KUBERNETES_VERSION} binaries are not built: npm run cluster -- build (needs golang-go, rsync, jq, dpkg-dev, etcd-server and a deb-src entry)`;
}

export interface ControlPlaneOptions {
  dir: string;
  /** Extra token users: name → groups. Their tokens are in `tokens`. */
  users?: Record<string, string[]>;
  /** Passed to kube-controller-manager (for example the node monitor's timings). */
  controllerManagerFlags?: string[];
  /** Passed to kube-apiserver (for example --watch-cache=false and a short --etcd-compaction-interval). */
  apiserverFlags?: string[];
}

export interface ControlPlane {
  server: string;
  /** The admin's kubeconfig (system:masters). */
  kubeconfig: string;
  adminToken: string;
  tokens: Record<string, string>;
  auditLog: string;
  dir: string;
  admin: Rest;
  /** Writes a kubeconfig for a token user (optionally through another address); returns its path. */
  kubeconfigFor(user: string, namespace?: string, serverOverride?: string): string;
  stop(): Promise<void>;
}

function kubeconfigText(server: string, user: string, token: string, namespace?: string): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'current-context: golive-test',
    'clusters:',
    '- name: golive-test',
    `  cluster: { server: '${server}', insecure-skip-tls-verify: true }`,
    'contexts:',
    '- name: golive-test',
    `  context: { cluster: golive-test, user: ${user}${namespace ? `, namespace: ${namespace}` : ''} }`,
    'users:',
    `- name: ${user}`,
    `  user: { token: ${token} }`,
    '',
  ].join('\n');
}

const AUDIT_POLICY = ['apiVersion: audit.k8s.io/v1', 'kind: Policy', 'omitStages: [RequestReceived]', 'rules:', '- level: Metadata', ''].join('\n');

export async function startControlPlane(options: ControlPlaneOptions): Promise<ControlPlane> {
  const bin = kubernetesBinDir();
  if (!bin) throw new Error(controlPlaneMissing() ?? 'no binaries');
  const dir = options.dir;
  for (const sub of ['pki', 'logs', 'etcd', 'certs']) mkdirSync(path.join(dir, sub), { recursive: true });
  const children: { name: string; child: ChildProcess }[] = [];
  const stop = async (): Promise<void> => {
    process.off('exit', killAll);
    admin?.close();
    for (const { child } of children.reverse()) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
  };
  // If the test process dies without stop(), take the control plane with it.
  const killAll = (): void => {
    for (const { child } of children) if (child.exitCode === null) child.kill('SIGKILL');
  };
  process.once('exit', killAll);
  const start = (name: string, file: string, args: string[]): ChildProcess => {
    const log = createWriteStream(path.join(dir, 'logs', `${name}.log`));
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.pipe(log);
    child.stderr.pipe(log);
    children.push({ name, child });
    return child;
  };
  let admin: Rest | undefined;
  try {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const saPub = path.join(dir, 'pki', 'sa.pub');
    const saKey = path.join(dir, 'pki', 'sa.key');
    writeFileSync(saPub, publicKey.export({ type: 'spki', format: 'pem' }));
    writeFileSync(saKey, privateKey.export({ type: 'pkcs1', format: 'pem' }), { mode: 0o600 });
    const tokens: Record<string, string> = {};
    const users: Record<string, string[]> = {
      admin: ['system:masters'],
      'system:kube-controller-manager': ['system:masters'],
      'system:kube-scheduler': ['system:masters'],
      'golive-test-kubelet': ['system:masters'],
      ...options.users,
    };
    const lines: string[] = [];
    for (const [user, groups] of Object.entries(users)) {
      tokens[user] = randomBytes(16).toString('hex');
      lines.push(`${tokens[user]},${user},${user}${groups.length ? `,"${groups.join(',')}"` : ''}`);
    }
    const tokenFile = path.join(dir, 'pki', 'tokens.csv');
    writeFileSync(tokenFile, lines.join('\n') + '\n', { mode: 0o600 });
    const auditPolicy = path.join(dir, 'audit-policy.yaml');
    writeFileSync(auditPolicy, AUDIT_POLICY);
    const auditLog = path.join(dir, 'logs', 'audit.log');

    const [etcdPort, etcdPeer, apiPort] = [await freePort(), await freePort(), await freePort()];
    const etcd = start('etcd', '/usr/bin/etcd', [
      '--name',
      'golive-test',
      '--data-dir',
      path.join(dir, 'etcd'),
      '--listen-client-urls',
      `http://127.0.0.1:${etcdPort}`,
      '--advertise-client-urls',
      `http://127.0.0.1:${etcdPort}`,
      '--listen-peer-urls',
      `http://127.0.0.1:${etcdPeer}`,
      '--initial-advertise-peer-urls',
      `http://127.0.0.1:${etcdPeer}`,
      '--initial-cluster',
      `golive-test=http://127.0.0.1:${etcdPeer}`,
      '--unsafe-no-fsync',
    ]);
    await waitFor('etcd', etcd, async () => (await fetch(`http://127.0.0.1:${etcdPort}/health`)).ok);

    const server = `https://127.0.0.1:${apiPort}`;
    const apiserver = start('kube-apiserver', path.join(bin, 'kube-apiserver'), [
      `--etcd-servers=http://127.0.0.1:${etcdPort}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${apiPort}`,
      '--insecure-port=0',
      `--cert-dir=${path.join(dir, 'certs')}`,
      `--token-auth-file=${tokenFile}`,
      '--authorization-mode=RBAC',
      `--service-account-key-file=${saPub}`,
      `--service-account-signing-key-file=${saKey}`,
      '--service-account-issuer=https://kubernetes.default.svc',
      '--service-cluster-ip-range=10.96.0.0/16',
      // the kubernetes Service's endpoint would be 127.0.0.1, which Endpoints refuse
      '--endpoint-reconciler-type=none',
      `--audit-log-path=${auditLog}`,
      `--audit-policy-file=${auditPolicy}`,
      ...(options.apiserverFlags ?? []),
    ]);
    admin = new Rest(server, tokens['admin']!);
    const a = admin;
    await waitFor('kube-apiserver', apiserver, async () => (await a.request<unknown>('GET', '/readyz').then(() => true)) === true, 120_000);

    const kubeconfig = path.join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, kubeconfigText(server, 'admin', tokens['admin']!), { mode: 0o600 });
    const cmConfig = path.join(dir, 'controller-manager.kubeconfig');
    writeFileSync(cmConfig, kubeconfigText(server, 'system:kube-controller-manager', tokens['system:kube-controller-manager']!), { mode: 0o600 });
    const schedConfig = path.join(dir, 'scheduler.kubeconfig');
    writeFileSync(schedConfig, kubeconfigText(server, 'system:kube-scheduler', tokens['system:kube-scheduler']!), { mode: 0o600 });

    start('kube-controller-manager', path.join(bin, 'kube-controller-manager'), [
      `--kubeconfig=${cmConfig}`,
      '--controllers=*',
      '--leader-elect=false',
      '--port=0',
      `--secure-port=${await freePort()}`,
      '--bind-address=127.0.0.1',
      `--service-account-private-key-file=${saKey}`,
      '--node-monitor-period=2s',
      '--node-monitor-grace-period=20s',
      '--pod-eviction-timeout=30s',
      '--concurrent-deployment-syncs=10',
      ...(options.controllerManagerFlags ?? []),
    ]);
    start('kube-scheduler', path.join(bin, 'kube-scheduler'), [
      `--kubeconfig=${schedConfig}`,
      '--leader-elect=false',
      '--port=0',
      `--secure-port=${await freePort()}`,
      '--bind-address=127.0.0.1',
    ]);
    // The controllers are up once the service account controller made the default namespace's account.
    await waitFor(
      'kube-controller-manager',
      undefined,
      async () => {
        await a.get('/api/v1/namespaces/default/serviceaccounts/default');
        return true;
      },
      120_000,
    );
    for (const { name, child } of children) {
      if (child.exitCode !== null) throw new Error(`${name} exited (${child.exitCode}); see ${path.join(dir, 'logs', `${name}.log`)}`);
    }
    return {
      server,
      kubeconfig,
      adminToken: tokens['admin']!,
      tokens,
      auditLog,
      dir,
      admin: a,
      kubeconfigFor: (user, namespace, serverOverride) => {
        const file = path.join(dir, `${user.replace(/[^\w.-]/g, '_')}${serverOverride ? '-via' : ''}.kubeconfig`);
        writeFileSync(file, kubeconfigText(serverOverride ?? server, user, tokens[user]!, namespace), { mode: 0o600 });
        return file;
      },
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

async function waitFor(name: string, child: ChildProcess | undefined, probe: () => Promise<boolean>, deadlineMs = 60_000): Promise<void> {
  const until = Date.now() + deadlineMs;
  let last = '';
  while (Date.now() < until) {
    if (child && child.exitCode !== null) throw new Error(`${name} exited (${child.exitCode}) while starting`);
    try {
      if (await probe()) return;
    } catch (e) {
      last = e instanceof Error ? e.message : String(e);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${name} was not ready after ${deadlineMs} ms: ${last}`);
}
