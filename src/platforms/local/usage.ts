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

export function startUsageSampling(rs: ReplicaSet, service: LocalService, now: () => number, signal: AbortSignal): { stop(): Promise<CapacityReport> } {
  const resources = rs.config.app.resources;
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
    for (const r of rs.alive()) {
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
    const serviceTicks = service.cpuThreadId !== null ? threadTicks(service.cpuThreadId) : null;
    const cpu = process.cpuUsage();
    const goliveTicks = ((cpu.user + cpu.system) / 1e6) * TICKS_PER_S;
    const machine = machineTicks();
    if (prev && seconds > 0) {
      const serviceDelta = serviceTicks !== null && prev.service !== null ? serviceTicks - prev.service : null;
      s.serviceMillicores = serviceDelta !== null ? Math.round(millicores(serviceDelta)) : null;
      // The golive process less the Service's thread when that is its own (the ingress's is the main thread).
      const ownThread = service.cpuThreadId !== process.pid ? (serviceDelta ?? 0) : 0;
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
      const peakCpu = Math.max(...[...peaks.values()].map((p) => p.cpu));
      const peakMem = Math.max(...[...peaks.values()].map((p) => p.mem));
      const cpuLimit = parseCpu(resources?.limits?.cpu?.toString());
      const memLimit = parseMemoryMiB(resources?.limits?.memory?.toString());
      const round = (v: number): number => Math.round(v * 1000) / 1000;
      const peakOf = (pick: (s: Sample) => number | null): number => Math.max(0, ...series.map((s) => pick(s) ?? 0));
      const serviceKnown = series.some((s) => s.serviceMillicores !== null);
      const machineKnown = series.some((s) => s.machineBusy !== null);
      return Promise.resolve({
        samples,
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
        replicas: [...peaks.entries()].map(([id, p]) => ({ id, peakMillicores: Math.round(p.cpu), peakMiB: Math.round(p.mem) })),
        total: { peakMillicores: peakOf((s) => s.replicasMillicores), peakMiB: peakOf((s) => s.replicasMiB) },
        ...(serviceKnown ? { service: { thread: service.cpuThreadLabel, peakMillicores: peakOf((s) => s.serviceMillicores) } } : {}),
        golive: { peakMillicores: peakOf((s) => s.goliveMillicores) },
        ...(machineKnown ? { machine: { cores: cpus().length, peakBusy: peakOf((s) => s.machineBusy) } } : {}),
        series,
      });
    },
  };
}
