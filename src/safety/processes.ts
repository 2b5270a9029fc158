/**
 * Processes as Linux's /proc shows them: the live members of a process group, and the processes that
 * carry given variables in their environment. A helper an app starts with `setsid` leaves the app's
 * process group but keeps its environment: golive finds what a run started by the run's id in it.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Live processes of the group (zombies waiting to be reaped do not count); undefined without /proc. */
export function groupMembers(pgid: number): number[] | undefined {
  const found: number[] = [];
  const pids = allPids();
  if (!pids) return undefined;
  for (const pid of pids) {
    const stat = statOf(pid);
    if (stat && stat.pgrp === pgid && stat.state !== 'Z') found.push(pid);
  }
  return found;
}

/** Live processes whose environment holds every `NAME=value` of `vars` (none without /proc). */
export function processesCarrying(vars: Readonly<Record<string, string>>): number[] {
  const wanted = Object.entries(vars).map(([k, v]) => `${k}=${v}`);
  const found: number[] = [];
  for (const pid of allPids() ?? []) {
    if (pid === process.pid) continue;
    let environ: string[];
    try {
      environ = readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0');
    } catch {
      continue; // ended, or not ours to read
    }
    if (wanted.every((w) => environ.includes(w)) && statOf(pid)?.state !== 'Z') found.push(pid);
  }
  return found;
}

/** Sends `signal` to each process; returns how many were still there to receive it. */
export function signalEach(pids: readonly number[], signal: NodeJS.Signals): number {
  let sent = 0;
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
      sent++;
    } catch {
      // already gone
    }
  }
  return sent;
}

function allPids(): number[] | undefined {
  try {
    return readdirSync('/proc')
      .filter((name) => /^\d+$/.test(name))
      .map(Number);
  } catch {
    return undefined;
  }
}

function statOf(pid: number): { state: string; pgrp: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // Fields after the command name (which may hold spaces): state, ppid, pgrp, …
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0] ?? '', pgrp: Number(fields[2]) };
  } catch {
    return undefined; // ended while we looked
  }
}
