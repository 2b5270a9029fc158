/**
 * A kubelet for the test cluster that runs containers as local processes. It registers its nodes (hostname
 * and zone labels, capacity), renews their Leases and Ready condition, and runs each pod the real scheduler
 * binds to them: an image → command table, the container's env, a pod IP outside 127.0.0.0/8 (Endpoints refuse
 * loopback) that maps to the process's loopback port, httpGet/tcpSocket readiness and liveness probes, and on
 * deletion preStop, SIGTERM, the grace period, SIGKILL, then the pod deleted as a kubelet does. A node can be
 * lost (heartbeats stop, its processes die or keep running) and brought back.
 *
 * What it does not do, by design: images, cgroups and resource limits, networking between pods, exec probes,
 * init containers. Volumes are host folders: a mount's path in the container's env is rewritten to its folder.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { freePort } from '../helpers/free-port.js';
import type { KubeObject, Rest } from './rest.js';

export interface ImageSpec {
  command: string[];
  /** The env variable that tells the program which port to listen on (set to its loopback port). */
  portEnv?: string;
}

const demoServer = path.resolve(import.meta.dirname, '../../../examples/demo-app/server.js');

/** Images the kubelet can run. Any tag of golive-demo is the demo app. */
export function imageFor(image: string): ImageSpec | undefined {
  if (/^(docker\.io\/)?(library\/)?golive-demo(:[\w.-]+)?$/.test(image)) return { command: [process.execPath, demoServer], portEnv: 'PORT' };
  return undefined;
}

export interface KubeletOptions {
  dir: string;
  /** Zone name → node names. */
  nodes: Record<string, string[]>;
  /** How often Leases are renewed. @default 2000 */
  leaseEveryMs?: number;
}

interface Probe {
  httpGet?: { path?: string; port: number | string };
  tcpSocket?: { port: number | string };
  initialDelaySeconds?: number;
  periodSeconds?: number;
  timeoutSeconds?: number;
  failureThreshold?: number;
  successThreshold?: number;
}

interface Container {
  name: string;
  image: string;
  spec: any;
  process: ChildProcess | undefined;
  /** containerPort → loopback port */
  ports: Map<number, number>;
  ready: boolean;
  /** Backing off before a restart: the restart timer starts it, nothing else. */
  restarting: boolean;
  restarts: number;
  startedAt?: string;
  lastExit?: { exitCode: number; reason: string; finishedAt: string };
  waiting?: { reason: string; message: string };
  timers: NodeJS.Timeout[];
}

interface RunningPod {
  uid: string;
  namespace: string;
  name: string;
  node: string;
  ip: string;
  containers: Container[];
  terminating: boolean;
  gone: boolean;
  pod: KubeObject;
  statusQueue: Promise<void>;
}

const microTime = (d = new Date()): string => d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

export class ProcessKubelet {
  private readonly pods = new Map<string, RunningPod>();
  /** podIP:containerPort → loopback port, for the Service proxy. */
  private readonly addresses = new Map<string, number>();
  private readonly stoppedNodes = new Set<string>();
  private readonly zoneOf = new Map<string, string>();
  private nextIp = 2;
  private timers: NodeJS.Timeout[] = [];
  private stopWatch?: () => void;
  private closed = false;
  readonly log: string[] = [];

  constructor(
    private readonly rest: Rest,
    private readonly options: KubeletOptions,
  ) {
    for (const [zone, names] of Object.entries(options.nodes)) for (const n of names) this.zoneOf.set(n, zone);
  }

  get nodeNames(): string[] {
    return [...this.zoneOf.keys()];
  }

  /** The loopback port behind a pod IP and container port, as the Service proxy needs it. */
  resolve(ip: string, port: number): number | undefined {
    return this.addresses.get(`${ip}:${port}`);
  }

  /** If the test process dies without stop(), its pods' processes die with it. */
  private readonly killAllSync = (): void => {
    for (const p of this.pods.values()) for (const c of p.containers) this.kill(c, 'SIGKILL');
  };

  async start(): Promise<void> {
    process.once('exit', this.killAllSync);
    for (const [node, zone] of this.zoneOf) await this.register(node, zone);
    const every = this.options.leaseEveryMs ?? 2000;
    this.timers.push(setInterval(() => void this.heartbeat(false), every));
    this.timers.push(setInterval(() => void this.heartbeat(true), 5000));
    this.stopWatch = this.rest.watch('/api/v1/pods', (e) => this.onPod(e.type, e.object));
  }

  /** Loses a node: its heartbeats stop and the kubelet does nothing for it; its processes die unless `keepRunning`. */
  stopNode(node: string, opts: { keepRunning?: boolean } = {}): void {
    this.stoppedNodes.add(node);
    this.note(`node ${node} stopped${opts.keepRunning ? ' (its processes keep running)' : ''}`);
    if (!opts.keepRunning) for (const p of this.pods.values()) if (p.node === node) for (const c of p.containers) this.kill(c, 'SIGKILL');
  }

  /** Brings a lost node back: heartbeats resume and its pods are reconciled with the API. */
  async startNode(node: string): Promise<void> {
    this.stoppedNodes.delete(node);
    this.note(`node ${node} started`);
    await this.heartbeat(true);
    const list = await this.rest.get<{ items: KubeObject[] }>(`/api/v1/pods?fieldSelector=spec.nodeName=${node}`);
    const present = new Set(list.items.map((p) => p.metadata.uid));
    for (const p of [...this.pods.values()]) {
      if (p.node !== node) continue;
      if (!present.has(p.uid)) this.forget(p);
    }
    for (const pod of list.items) this.onPod('MODIFIED', pod);
  }

  nodeIsStopped(node: string): boolean {
    return this.stoppedNodes.has(node);
  }

  async stop(): Promise<void> {
    process.off('exit', this.killAllSync);
    this.closed = true;
    this.stopWatch?.();
    for (const t of this.timers) clearInterval(t);
    const exits: Promise<void>[] = [];
    for (const p of this.pods.values())
      for (const c of p.containers) {
        for (const t of c.timers) clearTimeout(t);
        if (c.process && c.process.exitCode === null && c.process.signalCode === null) {
          exits.push(new Promise((r) => c.process!.once('exit', () => r())));
          c.process.kill('SIGKILL');
        }
      }
    await Promise.all(exits);
  }

  private note(line: string): void {
    this.log.push(`${new Date().toISOString()} ${line}`);
    if (this.log.length > 2000) this.log.splice(0, 1000);
  }

  private async register(node: string, zone: string): Promise<void> {
    try {
      await this.rest.post('/api/v1/nodes', {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: {
          name: node,
          labels: {
            'kubernetes.io/hostname': node,
            'kubernetes.io/os': 'linux',
            'kubernetes.io/arch': 'amd64',
            'topology.kubernetes.io/zone': zone,
            'topology.kubernetes.io/region': 'loopback',
          },
        },
        spec: {},
      });
    } catch (e) {
      if (!(e instanceof Error && / 409 /.test(e.message))) throw e;
    }
    await this.renewLease(node);
    await this.updateNodeStatus(node);
  }

  private async heartbeat(withStatus: boolean): Promise<void> {
    if (this.closed) return;
    await Promise.all(
      this.nodeNames
        .filter((n) => !this.stoppedNodes.has(n))
        .map(async (n) => {
          try {
            await this.renewLease(n);
            if (withStatus) await this.updateNodeStatus(n);
          } catch (e) {
            this.note(`heartbeat of ${n} failed: ${e instanceof Error ? e.message : String(e)}`);
          }
        }),
    );
  }

  private async renewLease(node: string): Promise<void> {
    const base = '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases';
    const spec = { holderIdentity: node, leaseDurationSeconds: 40, renewTime: microTime() };
    try {
      await this.rest.mergePatch(`${base}/${node}`, { spec });
    } catch (e) {
      if (!(e instanceof Error && / 404 /.test(e.message))) throw e;
      await this.rest.post(base, { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: node }, spec });
    }
  }

  private async updateNodeStatus(node: string): Promise<void> {
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const condition = (type: string, status: string, reason: string) => ({
      type,
      status,
      reason,
      message: reason,
      lastHeartbeatTime: now,
      lastTransitionTime: now,
    });
    const capacity = { cpu: '4', memory: '8Gi', pods: '110', 'ephemeral-storage': '100Gi' };
    await this.rest.mergePatch(`/api/v1/nodes/${node}/status`, {
      status: {
        capacity,
        allocatable: capacity,
        conditions: [
          condition('MemoryPressure', 'False', 'KubeletHasSufficientMemory'),
          condition('DiskPressure', 'False', 'KubeletHasNoDiskPressure'),
          condition('PIDPressure', 'False', 'KubeletHasSufficientPID'),
          condition('Ready', 'True', 'KubeletReady'),
        ],
        addresses: [
          { type: 'InternalIP', address: `10.0.${this.nodeNames.indexOf(node) + 1}.1` },
          { type: 'Hostname', address: node },
        ],
        daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
        nodeInfo: {
          machineID: node,
          systemUUID: node,
          bootID: node,
          kernelVersion: '',
          osImage: 'golive process kubelet',
          containerRuntimeVersion: 'process://1',
          kubeletVersion: 'v1.20.2',
          kubeProxyVersion: 'v1.20.2',
          operatingSystem: 'linux',
          architecture: 'amd64',
        },
      },
    });
  }

  private onPod(type: string, pod: KubeObject): void {
    if (this.closed) return;
    const node = pod.spec?.nodeName as string | undefined;
    if (!node || !this.zoneOf.has(node)) return;
    const uid = pod.metadata.uid!;
    const running = this.pods.get(uid);
    if (type === 'DELETED') {
      // Deleted without grace (or after we finished): whatever still runs gets the minimum grace a kubelet gives.
      if (running && !running.gone) void this.terminate(running, 2, false);
      return;
    }
    if (this.stoppedNodes.has(node)) return;
    if (running) {
      running.pod = pod;
      if (pod.metadata.deletionTimestamp && !running.terminating) void this.terminate(running, pod.metadata.deletionGracePeriodSeconds ?? 30, true);
      // A container that died while its node was stopped starts again now; one backing off restarts on its timer.
      else if (!pod.metadata.deletionTimestamp)
        for (const c of running.containers) if (!c.process && !c.waiting && !c.restarting && !running.terminating) this.run(running, c);
      return;
    }
    if (pod.metadata.deletionTimestamp) {
      void this.rest
        .delete(`/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}`, { gracePeriodSeconds: 0, preconditions: { uid } })
        .catch(() => undefined);
      return;
    }
    if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return;
    void this.admit(pod);
  }

  private async admit(pod: KubeObject): Promise<void> {
    const n = this.nextIp++;
    const p: RunningPod = {
      uid: pod.metadata.uid!,
      namespace: pod.metadata.namespace!,
      name: pod.metadata.name,
      node: pod.spec.nodeName,
      ip: `10.244.${n >> 8}.${n & 255}`,
      containers: [],
      terminating: false,
      gone: false,
      pod,
      statusQueue: Promise.resolve(),
    };
    this.pods.set(p.uid, p);
    for (const spec of pod.spec.containers as any[]) {
      const c: Container = {
        name: spec.name,
        image: spec.image,
        spec,
        process: undefined,
        ports: new Map(),
        ready: false,
        restarting: false,
        restarts: 0,
        timers: [],
      };
      for (const port of (spec.ports ?? []) as { containerPort: number }[]) {
        const lp = await freePort();
        c.ports.set(port.containerPort, lp);
        this.addresses.set(`${p.ip}:${port.containerPort}`, lp);
      }
      p.containers.push(c);
    }
    this.note(`pod ${p.namespace}/${p.name} admitted on ${p.node} as ${p.ip}`);
    for (const c of p.containers) this.run(p, c);
    this.pushStatus(p);
  }

  private env(p: RunningPod, c: Container): NodeJS.ProcessEnv {
    const mounts = this.mounts(p, c);
    const rewrite = (v: string): string => {
      for (const [mountPath, dir] of mounts) if (v === mountPath || v.startsWith(`${mountPath}/`)) return dir + v.slice(mountPath.length);
      return v;
    };
    const field = (f: string): string =>
      ({ 'metadata.name': p.name, 'metadata.namespace': p.namespace, 'metadata.uid': p.uid, 'status.podIP': p.ip, 'spec.nodeName': p.node })[f] ?? '';
    const env: NodeJS.ProcessEnv = { PATH: process.env['PATH'], HOME: process.env['HOME'], HOSTNAME: p.name };
    for (const e of (c.spec.env ?? []) as { name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[]) {
      if (e.value !== undefined) env[e.name] = rewrite(e.value);
      else if (e.valueFrom?.fieldRef) env[e.name] = field(e.valueFrom.fieldRef.fieldPath);
    }
    const image = imageFor(c.image);
    const first = [...c.ports.values()][0];
    if (image?.portEnv && first !== undefined) env[image.portEnv] = String(first);
    return env;
  }

  /** mountPath → host folder, for PVCs (shared by claim), emptyDir (per pod) and hostPath. */
  private mounts(p: RunningPod, c: Container): Map<string, string> {
    const volumes = new Map<string, any>(((p.pod.spec.volumes ?? []) as any[]).map((v) => [v.name, v]));
    const out = new Map<string, string>();
    for (const m of (c.spec.volumeMounts ?? []) as { name: string; mountPath: string }[]) {
      const v = volumes.get(m.name);
      if (!v) continue;
      const dir = v.persistentVolumeClaim
        ? path.join(this.options.dir, 'volumes', p.namespace, `pvc-${v.persistentVolumeClaim.claimName}`)
        : v.hostPath
          ? path.join(this.options.dir, 'volumes', 'host', v.hostPath.path)
          : path.join(this.options.dir, 'volumes', p.namespace, p.uid, m.name);
      mkdirSync(dir, { recursive: true });
      out.set(m.mountPath.replace(/\/$/, ''), dir);
    }
    return out;
  }

  private run(p: RunningPod, c: Container): void {
    // One process per container: a second start would leave the first one running, untracked.
    if (c.process) return;
    const image = imageFor(c.image);
    if (!image) {
      c.waiting = { reason: 'ErrImageNeverPull', message: `the process kubelet has no program for image ${c.image}` };
      this.note(`pod ${p.namespace}/${p.name}: ${c.waiting.message}`);
      this.pushStatus(p);
      return;
    }
    // The image's program stands for the container's command; its args are passed on.
    const [file, ...args] = [...image.command, ...((c.spec.args as string[] | undefined) ?? [])];
    const child = spawn(file!, args, { env: this.env(p, c), stdio: ['ignore', 'ignore', 'ignore'] });
    c.process = child;
    c.ready = false;
    c.startedAt = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    this.note(`pod ${p.namespace}/${p.name} container ${c.name} started (pid ${child.pid})`);
    child.once('exit', (code, signal) => {
      if (c.process !== child) return;
      c.process = undefined;
      c.ready = false;
      for (const t of c.timers) clearTimeout(t);
      c.timers = [];
      c.lastExit = {
        exitCode: code ?? 137,
        reason: signal ? 'Error' : code === 0 ? 'Completed' : 'Error',
        finishedAt: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      };
      this.note(`pod ${p.namespace}/${p.name} container ${c.name} exited (${code ?? signal})`);
      if (p.terminating || p.gone || this.closed || this.stoppedNodes.has(p.node)) return;
      // restartPolicy Always: back off a little, as a kubelet does, and run it again.
      const backoff = Math.min(10_000, 1000 * 2 ** Math.min(c.restarts, 4));
      c.restarts++;
      this.pushStatus(p);
      c.restarting = true;
      c.timers.push(
        setTimeout(() => {
          c.restarting = false;
          if (!p.terminating && !p.gone && !this.closed) this.run(p, c);
        }, backoff),
      );
    });
    this.probe(p, c, child, c.spec.readinessProbe as Probe | undefined, 'readiness');
    this.probe(p, c, child, c.spec.livenessProbe as Probe | undefined, 'liveness');
    if (!c.spec.readinessProbe) {
      c.ready = true;
    }
    this.pushStatus(p);
  }

  private probe(p: RunningPod, c: Container, child: ChildProcess, probe: Probe | undefined, kind: 'readiness' | 'liveness'): void {
    if (!probe) return;
    const period = (probe.periodSeconds ?? 10) * 1000;
    const failures = probe.failureThreshold ?? 3;
    const successes = probe.successThreshold ?? 1;
    let failed = 0;
    let succeeded = 0;
    const tick = async (): Promise<void> => {
      if (c.process !== child || this.closed || this.stoppedNodes.has(p.node)) return;
      const ok = await this.check(c, probe);
      if (c.process !== child) return;
      if (ok) {
        failed = 0;
        succeeded++;
      } else {
        succeeded = 0;
        failed++;
      }
      if (kind === 'readiness') {
        const ready = c.ready ? failed < failures : succeeded >= successes;
        if (ready !== c.ready) {
          c.ready = ready;
          this.pushStatus(p);
        }
      } else if (failed >= failures && !p.terminating) {
        this.note(`pod ${p.namespace}/${p.name} container ${c.name} failed its liveness probe: restarting`);
        this.kill(c, 'SIGTERM');
        return;
      }
      c.timers.push(setTimeout(() => void tick(), period));
    };
    c.timers.push(setTimeout(() => void tick(), (probe.initialDelaySeconds ?? 0) * 1000 || 100));
  }

  private check(c: Container, probe: Probe): Promise<boolean> {
    const portOf = (port: number | string): number | undefined => {
      const n =
        typeof port === 'number' ? port : ((c.spec.ports ?? []) as { name?: string; containerPort: number }[]).find((x) => x.name === port)?.containerPort;
      return n === undefined ? undefined : c.ports.get(n);
    };
    const timeout = (probe.timeoutSeconds ?? 1) * 1000;
    return new Promise((resolve) => {
      if (probe.httpGet) {
        const port = portOf(probe.httpGet.port);
        if (port === undefined) return resolve(false);
        const req = http.get(
          { host: '127.0.0.1', port, path: probe.httpGet.path ?? '/', timeout, agent: false, headers: { 'user-agent': 'kube-probe/1.20' } },
          (res) => {
            res.resume();
            resolve((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 400);
          },
        );
        req.on('timeout', () => req.destroy());
        req.on('error', () => resolve(false));
      } else if (probe.tcpSocket) {
        const port = portOf(probe.tcpSocket.port);
        if (port === undefined) return resolve(false);
        const s = net.connect({ host: '127.0.0.1', port, timeout });
        s.once('connect', () => (s.destroy(), resolve(true)));
        s.once('timeout', () => (s.destroy(), resolve(false)));
        s.once('error', () => resolve(false));
      } else {
        resolve(true); // exec probes are not run: counted as passing
      }
    });
  }

  private kill(c: Container, signal: NodeJS.Signals): void {
    if (c.process && c.process.exitCode === null && c.process.signalCode === null) c.process.kill(signal);
  }

  /** preStop, SIGTERM, the grace period, SIGKILL; then the pod is deleted (unless the API already did). */
  private async terminate(p: RunningPod, graceSeconds: number, apiObjectExists: boolean): Promise<void> {
    if (p.terminating && apiObjectExists) return;
    p.terminating = true;
    const grace = Math.max(graceSeconds, apiObjectExists ? 0 : 2) * 1000;
    const deadline = Date.now() + grace;
    this.note(`pod ${p.namespace}/${p.name} terminating (grace ${grace} ms)`);
    await Promise.all(
      p.containers.map(async (c) => {
        for (const t of c.timers) clearTimeout(t);
        c.timers = [];
        if (!c.process) return;
        const child = c.process;
        const exited = new Promise<void>((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', () => r())));
        if (apiObjectExists) await this.preStop(c, deadline);
        this.kill(c, 'SIGTERM');
        const timer = setTimeout(() => this.kill(c, 'SIGKILL'), Math.max(0, deadline - Date.now()));
        await exited;
        clearTimeout(timer);
      }),
    );
    for (const c of p.containers) for (const port of c.ports.keys()) this.addresses.delete(`${p.ip}:${port}`);
    this.note(`pod ${p.namespace}/${p.name} terminated`);
    if (apiObjectExists && !this.stoppedNodes.has(p.node)) {
      await this.rest
        .delete(`/api/v1/namespaces/${p.namespace}/pods/${p.name}`, { gracePeriodSeconds: 0, preconditions: { uid: p.uid } })
        .catch((e: unknown) => this.note(`deleting pod ${p.name} failed: ${e instanceof Error ? e.message : String(e)}`));
    }
    this.forget(p);
  }

  private async preStop(c: Container, deadline: number): Promise<void> {
    const hook = c.spec.lifecycle?.preStop;
    if (!hook) return;
    const left = deadline - Date.now();
    if (left <= 0) return;
    if (hook.sleep?.seconds !== undefined) {
      await new Promise((r) => setTimeout(r, Math.min(left, hook.sleep.seconds * 1000)));
    } else if (hook.exec?.command) {
      const [file, ...args] = hook.exec.command as string[];
      await new Promise<void>((resolve) => {
        const child = spawn(file!, args, { stdio: 'ignore' });
        const timer = setTimeout(() => child.kill('SIGKILL'), left);
        child.once('exit', () => (clearTimeout(timer), resolve()));
        child.once('error', () => (clearTimeout(timer), resolve()));
      });
    } else if (hook.httpGet) {
      const port = c.ports.get(Number(hook.httpGet.port));
      if (port !== undefined)
        await fetch(`http://127.0.0.1:${port}${hook.httpGet.path ?? '/'}`, { signal: AbortSignal.timeout(left) }).then(
          (r) => r.body?.cancel(),
          () => undefined,
        );
    }
  }

  private forget(p: RunningPod): void {
    p.gone = true;
    for (const c of p.containers) {
      for (const t of c.timers) clearTimeout(t);
      this.kill(c, 'SIGKILL');
      for (const port of c.ports.keys()) this.addresses.delete(`${p.ip}:${port}`);
    }
    this.pods.delete(p.uid);
  }

  /** Writes the pod's status as the kubelet sees it; calls are queued so the last state wins. */
  private pushStatus(p: RunningPod): void {
    p.statusQueue = p.statusQueue.then(async () => {
      if (p.gone || p.terminating || this.closed || this.stoppedNodes.has(p.node)) return;
      const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
      const allReady = p.containers.every((c) => c.ready);
      const cond = (type: string, ok: boolean) => ({ type, status: ok ? 'True' : 'False', lastProbeTime: null, lastTransitionTime: now });
      try {
        await this.rest.mergePatch(`/api/v1/namespaces/${p.namespace}/pods/${p.name}/status`, {
          status: {
            phase: 'Running',
            hostIP: `10.0.${this.nodeNames.indexOf(p.node) + 1}.1`,
            podIP: p.ip,
            podIPs: [{ ip: p.ip }],
            startTime: p.pod.status?.startTime ?? now,
            conditions: [cond('Initialized', true), cond('Ready', allReady), cond('ContainersReady', allReady), cond('PodScheduled', true)],
            containerStatuses: p.containers.map((c) => ({
              name: c.name,
              image: c.image,
              imageID: `process://${c.image}`,
              ready: c.ready,
              started: c.process !== undefined,
              restartCount: c.restarts,
              ...(c.process ? { containerID: `process://${c.process.pid}` } : {}),
              state: c.process
                ? { running: { startedAt: c.startedAt } }
                : c.waiting
                  ? { waiting: c.waiting }
                  : { waiting: { reason: 'CrashLoopBackOff', message: 'back-off restarting the process' } },
              ...(c.lastExit ? { lastState: { terminated: { ...c.lastExit, startedAt: c.startedAt } } } : {}),
            })),
          },
        });
      } catch (e) {
        this.note(`status of ${p.name} failed: ${e instanceof Error ? e.message : String(e)}`);
      }
    });
  }
}
