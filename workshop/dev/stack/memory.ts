/** Memory of a server: every process in its process group (a start script and its JVM), read from /proc on Linux. */
import { readdirSync, readFileSync } from 'node:fs';

function processGroup(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which sits in parentheses and may hold spaces: state ppid pgrp ...
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[2]);
  } catch {
    return undefined;
  }
}

function statusKb(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/** Peak resident memory (VmHWM) summed over the group led by `leader`, in MiB; undefined where /proc is absent. */
export function peakMemoryMiB(leader: number): number | undefined {
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return undefined;
  }
  let kb = 0;
  for (const entry of entries) {
    const pid = Number(entry);
    if (processGroup(pid) === leader) kb += statusKb(pid, 'VmHWM');
  }
  return Math.round(kb / 1024);
}
