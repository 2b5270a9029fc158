/** Reading CPU and memory from Linux's /proc: a process group's, one thread's of golive, the machine's. */
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's CPU times (USER_HZ: 100 on Linux). */
export const TICKS_PER_S = 100;
const PAGE_BYTES = 4096;

/** The numeric entries of /proc (one per process), or null when /proc cannot be read. */
export function listProcesses(): string[] | null {
  try {
    return readdirSync('/proc').filter((n) => /^\d+$/.test(n));
  } catch {
    return null;
  }
}

/** The fields of a stat line after the command name (which may hold spaces and parentheses). */
function statFields(path: string): string[] | null {
  try {
    const stat = readFileSync(path, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null; // ended while we looked
  }
}

/** CPU ticks and RSS of every live process in process group `pgid`. */
export function processGroupUsage(pgid: number, procs: string[]): { ticks: number; rssMiB: number } {
  let ticks = 0;
  let rssMiB = 0;
  for (const name of procs) {
    const f = statFields(`/proc/${name}/stat`);
    if (!f || Number(f[2]) !== pgid || f[0] === 'Z') continue;
    ticks += Number(f[11]) + Number(f[12]); // utime, stime
    rssMiB += (Number(f[21]) * PAGE_BYTES) / 1048576; // rss (pages)
  }
  return { ticks, rssMiB };
}

/** CPU ticks one thread of this process has used (its Linux thread id), or null when unknown. */
export function threadTicks(tid: number): number | null {
  const f = statFields(`/proc/self/task/${tid}/stat`);
  return f ? Number(f[11]) + Number(f[12]) : null;
}

/** The calling thread's Linux thread id (from /proc/thread-self), or null off Linux. */
export function ownThreadId(): number | null {
  try {
    const tid = Number(readFileSync('/proc/thread-self/stat', 'latin1').split(' ', 1)[0]);
    return Number.isInteger(tid) ? tid : null;
  } catch {
    return null;
  }
}

/** The machine's CPU ticks, busy and in all, summed over its cores (/proc/stat's first line). */
export function machineTicks(): { busy: number; total: number } | null {
  try {
    const line = readFileSync('/proc/stat', 'latin1').split('\n', 1)[0] ?? '';
    const v = line.trim().split(/\s+/).slice(1, 9).map(Number); // user nice system idle iowait irq softirq steal
    const total = v.reduce((a, b) => a + b, 0);
    return { busy: total - (v[3] ?? 0) - (v[4] ?? 0), total };
  } catch {
    return null;
  }
}
