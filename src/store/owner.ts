import { randomBytes } from 'node:crypto';
import { readFileSync, readlinkSync } from 'node:fs';
import { bootId } from '../journal/boot-id.ts';

/**
 * Who holds a lock: enough to tell, from another process on the same host,
 * whether the holder is certainly gone. A pid alone is not: pids are reused,
 * so the process's start time (in clock ticks since boot) must match too.
 */
export interface Owner {
  pid: number;
  /** start time of the process, field 22 of /proc/<pid>/stat */
  start: string;
  boot: string;
  /** the pid namespace the pid is counted in */
  ns: string;
  /** unique to one acquisition */
  nonce: string;
}

let self: Omit<Owner, 'nonce'> | undefined;

export function newOwner(): Owner {
  self ??= { pid: process.pid, start: startTime(process.pid) ?? '?', boot: bootId(), ns: pidNamespace() };
  return { ...self, nonce: randomBytes(12).toString('hex') };
}

/**
 * True only when the owner is provably dead: it ran in an earlier boot, or its
 * pid is gone, a zombie, or now names a process that started at another time.
 * An owner in another pid namespace, or one we cannot read, is presumed alive:
 * a frozen or slow holder is waited for, never overtaken.
 */
export function isDead(owner: Owner): boolean {
  if (owner.boot !== bootId()) return owner.boot !== 'unknown' && bootId() !== 'unknown';
  if (owner.ns !== pidNamespace()) return false;
  const stat = procStat(owner.pid);
  if (stat === 'gone') return true;
  if (stat === undefined) return false;
  return stat.state === 'Z' || stat.state === 'X' || stat.start !== owner.start;
}

function startTime(pid: number): string | undefined {
  const stat = procStat(pid);
  return stat === 'gone' ? undefined : stat?.start;
}

/** State and start time from /proc/<pid>/stat; the command name may hold spaces and parentheses. */
function procStat(pid: number): { state: string; start: string } | 'gone' | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ESRCH' ? 'gone' : undefined;
  }
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const state = fields[0];
  const start = fields[19]; // field 22 counted from the pid, 3 fields before these
  return state === undefined || start === undefined ? undefined : { state, start };
}

function pidNamespace(): string {
  try {
    return readlinkSync('/proc/self/ns/pid');
  } catch {
    return 'unknown';
  }
}

/** Seconds since the epoch when this host booted (the btime line of /proc/stat). */
export function bootTime(): number | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('btime '));
    return line === undefined ? undefined : Number(line.slice(6));
  } catch {
    return undefined;
  }
}
