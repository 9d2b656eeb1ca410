import { randomBytes } from 'node:crypto';
import { readFileSync, readlinkSync } from 'node:fs';
import { bootId } from '../journal/boot-id.ts';
import { errnoOf } from '../fs/missing.ts';

/**
 * Who holds a lock: enough to tell, from another process on the same host,
 * whether the holder is certainly gone. A pid alone is not: pids are reused,
 * so the process's start time (in clock ticks since boot) must match too.
 * Written as the target of a symbolic link, `<pid>.<start>.<ns>.<boot>.<nonce>`:
 * short enough (under 60 bytes) to live in the link's inode, so it can be
 * made on a full disk.
 */
export interface Owner {
  pid: number;
  /** start time of the process, field 22 of /proc/<pid>/stat */
  start: string;
  /** the pid namespace the pid is counted in (the inode of /proc/self/ns/pid) */
  ns: string;
  /** the first 8 hex digits of the boot id: enough to tell this boot from an earlier one */
  boot: string;
  /** unique to one acquisition */
  nonce: string;
}

let self: Omit<Owner, 'nonce'> | undefined;

export function newOwner(): Owner {
  self ??= { pid: process.pid, start: startOf(process.pid), ns: pidNamespace(), boot: bootTag() };
  return { ...self, nonce: randomBytes(6).toString('hex') };
}

export const formatOwner = (o: Owner) => `${o.pid}.${o.start}.${o.ns}.${o.boot}.${o.nonce}`;

export function parseOwner(text: string): Owner | undefined {
  const m = /^(?<pid>\d+)\.(?<start>\d+)\.(?<ns>\d+)\.(?<boot>[0-9a-z]{1,8})\.(?<nonce>[0-9a-f]+)$/.exec(text);
  const g = m?.groups;
  if (!g?.pid || !g.start || !g.ns || !g.boot || !g.nonce) return undefined;
  return { pid: Number(g.pid), start: g.start, ns: g.ns, boot: g.boot, nonce: g.nonce };
}

const bootTag = () => bootId().replaceAll('-', '').slice(0, 8);

/**
 * True only when the owner is provably dead: it ran in an earlier boot, or
 * its pid is gone, a zombie, or now names a process that started at another
 * time. An owner in another pid namespace, or one we cannot read, is presumed
 * alive: a frozen or slow holder is waited for, never overtaken.
 */
export function isDead(owner: Owner): boolean {
  if (owner.boot !== bootTag()) return bootTag() !== 'unknown';
  if (owner.ns !== pidNamespace()) return false;
  const stat = procStat(owner.pid);
  if (stat === 'gone') return true;
  if (stat === undefined) return false;
  return stat.state === 'Z' || stat.state === 'X' || stat.start !== owner.start;
}

function startOf(pid: number): string {
  const stat = procStat(pid);
  return typeof stat === 'object' ? stat.start : '0';
}

/** State and start time from /proc/<pid>/stat; the command name may hold spaces and parentheses. */
function procStat(pid: number): { state: string; start: string } | 'gone' | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch (err) {
    const code = errnoOf(err);
    return code === 'ENOENT' || code === 'ESRCH' ? 'gone' : undefined;
  }
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const state = fields[0];
  const start = fields[19]; // field 22 counted from the pid, 3 fields before these
  return state === undefined || start === undefined ? undefined : { state, start };
}

function pidNamespace(): string {
  try {
    return /\d+/.exec(readlinkSync('/proc/self/ns/pid'))?.[0] ?? '0';
  } catch {
    return '0';
  }
}

/** Milliseconds since the epoch when this host booted (the btime line of /proc/stat, in seconds). */
export function bootTimeMs(): number | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('btime '));
    return line === undefined ? undefined : Number(line.slice(6)) * 1000;
  } catch {
    return undefined;
  }
}
