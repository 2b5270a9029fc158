/**
 * What each replica uses while the capacity drill's load runs: CPU and resident memory of its whole
 * process group, read from /proc every second, against `app.resources` (as metrics-server reports pods
 * against their containers' requests and limits on Kubernetes).
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { CapacityReport } from '../../model/result.js';
import { parseCpu, parseMemoryMiB } from '../shared/quantity.js';
import type { ReplicaSet } from './replica-set.js';

const SAMPLE_EVERY_MS = 1000;
/** Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ: 100 on Linux). */
const TICKS_PER_S = 100;
const PAGE_BYTES = 4096;

interface GroupUsage {
  ticks: number;
  rssMiB: number;
}

/** CPU ticks and RSS of every live process in process group `pgid`. */
function groupUsage(pgid: number, procs: string[]): GroupUsage {
  let ticks = 0;
  let rssMiB = 0;
  for (const name of procs) {
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'latin1');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(f[2]) !== pgid || f[0] === 'Z') continue;
      ticks += Number(f[11]) + Number(f[12]); // utime, stime
      rssMiB += (Number(f[21]) * PAGE_BYTES) / 1048576; // rss (pages)
    } catch {
      // ended while we looked
    }
  }
  return { ticks, rssMiB };
}

export function startUsageSampling(rs: ReplicaSet, signal: AbortSignal): { stop(): Promise<CapacityReport> } {
  const resources = rs.config.app.resources;
  const last = new Map<string, { ticks: number; atMs: number }>();
  const peaks = new Map<string, { cpu: number; mem: number }>();
  let totalPeakCpu = 0;
  let totalPeakMem = 0;
  let samples = 0;
  const sample = (): void => {
    let procs: string[];
    try {
      procs = readdirSync('/proc').filter((n) => /^\d+$/.test(n));
    } catch {
      return; // no /proc: usage is not measured, said below
    }
    const now = performance.now();
    let cpuNow = 0;
    let memNow = 0;
    for (const r of rs.alive()) {
      const u = groupUsage(r.pid, procs);
      const prev = last.get(r.spec.id);
      last.set(r.spec.id, { ticks: u.ticks, atMs: now });
      const p = peaks.get(r.spec.id) ?? { cpu: 0, mem: 0 };
      p.mem = Math.max(p.mem, u.rssMiB);
      memNow += u.rssMiB;
      if (prev && now > prev.atMs) {
        const millicores = ((u.ticks - prev.ticks) / TICKS_PER_S / ((now - prev.atMs) / 1000)) * 1000;
        p.cpu = Math.max(p.cpu, millicores);
        cpuNow += millicores;
      }
      peaks.set(r.spec.id, p);
    }
    totalPeakCpu = Math.max(totalPeakCpu, cpuNow);
    totalPeakMem = Math.max(totalPeakMem, memNow);
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
        total: { peakMillicores: Math.round(totalPeakCpu), peakMiB: Math.round(totalPeakMem) },
      });
    },
  };
}
