/** A replica's process group as Linux's /proc shows it: its live members and the TCP ports they listen on. */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { groupMembers } from '../../safety/processes.js';

export { groupMembers };

/** TCP ports the group's processes listen on (IPv4 and IPv6), sorted; [] when none or without /proc. */
export function listeningPorts(pgid: number): number[] {
  const sockets = new Set<string>();
  for (const pid of groupMembers(pgid) ?? []) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue; // ended, or not ours to read
    }
    for (const fd of fds) {
      try {
        const inode = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1];
        if (inode) sockets.add(inode);
      } catch {
        // closed while we looked
      }
    }
  }
  const ports = new Set<number>();
  if (sockets.size === 0) return [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'latin1');
    } catch {
      continue;
    }
    // sl local_address rem_address st … inode: state 0A is LISTEN, the port is the local address's hex after ':'.
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f[3] === '0A' && sockets.has(f[9] ?? '')) ports.add(parseInt(f[1]?.split(':')[1] ?? '', 16));
    }
  }
  return [...ports].filter((p) => Number.isInteger(p)).sort((a, b) => a - b);
}
