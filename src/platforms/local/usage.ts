/**
 * What each replica uses while the capacity drill's load runs: CPU and resident memory of its whole
 * process group, read from /proc every second, against `app.resources` (as metrics-server reports pods
 * against their containers' requests and limits on Kubernetes). Beside them, what shares the machine:
 * the Service's proxy thread, the rest of golive (the load generator) and the machine's cores, so the
 * analysis can say which of them limited the load.
 */
import { cpus } from 'node:os';
import type { CapacityReport } from '../../model/result.js';
import { parseCpu, parseMemoryMiB } from '../shared/quantity.js';
import type { LocalService } from './ingress-proxy.js';
import { listProcesses, machineTicks, processGroupUsage, threadTicks, TICKS_PER_S } from './proc-stat.js';
import type { ReplicaSet } from './replica-set.js';

const SAMPLE_EVERY_MS = 1000;
type Sample = NonNullable<CapacityReport['series']>[number];

export function startUsageSampling(
  system: readonly { rs: ReplicaSet; service: LocalService }[],
  now: () => number,
  signal: AbortSignal,
): { stop(): Promise<CapacityReport> } {
  const componentOf = new Map<string, ReplicaSet>();
  const last = new Map<string, number>();
  const peaks = new Map<string, { cpu: number; mem: number }>();
  const series: Sample[] = [];
  let prev: { atMs: number; service: number | null; golive: number; machine: { busy: number; total: number } | null } | null = null;
  let samples = 0;
  const sample = (): void => {
    const procs = listProcesses();
    if (!procs) return; // no /proc: usage is not measured, said below
    const atMs = now();
    const seconds = prev ? (atMs - prev.atMs) / 1000 : 0;
    const millicores = (ticks: number): number => (ticks / TICKS_PER_S / seconds) * 1000;
    const s: Sample = { atMs: Math.round(atMs), replicasMillicores: 0, replicasMiB: 0, serviceMillicores: null, goliveMillicores: 0, machineBusy: null };
    for (const { rs } of system)
      for (const r of rs.alive()) {
        componentOf.set(r.spec.id, rs);
        const u = processGroupUsage(r.pid, procs);
        const before = last.get(r.spec.id);
        last.set(r.spec.id, u.ticks);
        const p = peaks.get(r.spec.id) ?? { cpu: 0, mem: 0 };
        p.mem = Math.max(p.mem, u.rssMiB);
        s.replicasMiB += u.rssMiB;
        if (prev && seconds > 0 && before !== undefined) {
          const m = millicores(u.ticks - before);
          p.cpu = Math.max(p.cpu, m);
          s.replicasMillicores += m;
        }
        peaks.set(r.spec.id, p);
      }
    // Every component's Service: a proxy thread each (an ingress runs on golive's main thread).
    const threads = system.map(({ service }) => service.cpuThreadId).filter((t): t is number => t !== null && t !== process.pid);
    const serviceTicks = system.some(({ service }) => service.cpuThreadId !== null) ? threads.reduce((sum, t) => sum + (threadTicks(t) ?? 0), 0) : null;
    const cpu = process.cpuUsage();
    const goliveTicks = ((cpu.user + cpu.system) / 1e6) * TICKS_PER_S;
    const machine = machineTicks();
    if (prev && seconds > 0) {
      const serviceDelta = serviceTicks !== null && prev.service !== null ? serviceTicks - prev.service : null;
      s.serviceMillicores = serviceDelta !== null ? Math.round(millicores(serviceDelta)) : null;
      // The golive process less the Service's thread when that is its own (the ingress's is the main thread).
      const ownThread = threads.length > 0 ? (serviceDelta ?? 0) : 0;
      s.goliveMillicores = Math.round(millicores(goliveTicks - prev.golive - ownThread));
      if (machine && prev.machine && machine.total > prev.machine.total)
        s.machineBusy = Math.round(((machine.busy - prev.machine.busy) / (machine.total - prev.machine.total)) * 1000) / 1000;
      s.replicasMillicores = Math.round(s.replicasMillicores);
      s.replicasMiB = Math.round(s.replicasMiB);
      series.push(s);
    }
    prev = { atMs, service: serviceTicks, golive: goliveTicks, machine };
    samples++;
  };
  sample();
  const timer = setInterval(sample, SAMPLE_EVERY_MS);
  const onAbort = (): void => clearInterval(timer);
  signal.addEventListener('abort', onAbort, { once: true });
  return {
    stop: () => {
      clearInterval(timer);
      signal.removeEventListener('abort', onAbort);
      sample();
      if (samples < 2 || peaks.size === 0)
        return Promise.resolve({ samples, usageUnavailable: 'no replica ran long enough to sample (or /proc is not readable)' });
      // Each component against its own resources; the report's headline is the one nearest its limit.
      const components = system.map(({ rs }) =>
        componentUsage(
          rs,
          [...peaks.entries()].filter(([id]) => componentOf.get(id) === rs),
        ),
      );
      const top = [...components].sort((a, b) => (b.cpu.peakOfLimit ?? -1) - (a.cpu.peakOfLimit ?? -1) || b.cpu.peakMillicores - a.cpu.peakMillicores)[0]!;
      const peakOf = (pick: (s: Sample) => number | null): number => Math.max(0, ...series.map((s) => pick(s) ?? 0));
      const serviceKnown = series.some((s) => s.serviceMillicores !== null);
      const machineKnown = series.some((s) => s.machineBusy !== null);
      return Promise.resolve({
        samples,
        cpu: top.cpu,
        memory: top.memory,
        ...(system.length > 1 ? { components: components.map(({ name, cpu, memory }) => ({ name, cpu, memory })) } : {}),
        replicas: [...peaks.entries()].map(([id, p]) => ({ id, peakMillicores: Math.round(p.cpu), peakMiB: Math.round(p.mem) })),
        total: { peakMillicores: peakOf((s) => s.replicasMillicores), peakMiB: peakOf((s) => s.replicasMiB) },
        ...(serviceKnown
          ? { service: { thread: system.map(({ service }) => service.cpuThreadLabel).join(', '), peakMillicores: peakOf((s) => s.serviceMillicores) } }
          : {}),
        golive: { peakMillicores: peakOf((s) => s.goliveMillicores) },
        ...(machineKnown ? { machine: { cores: cpus().length, peakBusy: peakOf((s) => s.machineBusy) } } : {}),
        series,
      });
    },
  };
}

type Usage = NonNullable<CapacityReport['components']>[number];

/** One component's peaks (its busiest replica) against its own requests and limits. */
function componentUsage(rs: ReplicaSet, peaks: [string, { cpu: number; mem: number }][]): Usage {
  const resources = rs.spec.resources;
  const peakCpu = Math.max(0, ...peaks.map(([, p]) => p.cpu));
  const peakMem = Math.max(0, ...peaks.map(([, p]) => p.mem));
  const cpuLimit = parseCpu(resources?.limits?.cpu?.toString());
  const memLimit = parseMemoryMiB(resources?.limits?.memory?.toString());
  const round = (v: number): number => Math.round(v * 1000) / 1000;
  return {
    name: rs.name,
    cpu: {
      peakMillicores: Math.round(peakCpu),
      requestMillicores: parseCpu(resources?.requests?.cpu?.toString()),
      limitMillicores: cpuLimit,
      peakOfLimit: cpuLimit ? round(peakCpu / cpuLimit) : null,
    },
    memory: {
      peakMiB: Math.round(peakMem),
      requestMiB: parseMemoryMiB(resources?.requests?.memory?.toString()),
      limitMiB: memLimit,
      peakOfLimit: memLimit ? round(peakMem / memLimit) : null,
    },
  };
}
