import { readFileSync } from 'node:fs';
import { chmod, chown, lstat, mkdir, unlink } from 'node:fs/promises';
import { connect } from 'node:net';
import path from 'node:path';
import { errDaemon } from '../errors.ts';

/**
 * Makes room for the daemon's socket: its folder exists, and a socket file
 * left by a daemon that died is removed. A socket that answers belongs to a
 * live daemon: refused.
 */
export async function prepareSocket(socket: string): Promise<void> {
  // sun_path holds 108 bytes with its NUL; a longer path would be cut short, not refused.
  if (Buffer.byteLength(socket) > 107)
    throw errDaemon(`socket path ${socket} is ${Buffer.byteLength(socket)} bytes: the limit is 107`);
  await mkdir(path.dirname(socket), { recursive: true, mode: 0o750 });
  const info = await lstat(socket).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw errDaemon(`cannot use socket ${socket}: ${err.message}`, err);
  });
  if (info === undefined) return;
  if (!info.isSocket()) throw errDaemon(`${socket} exists and is not a socket: not removing it`);
  if (await answers(socket)) throw errDaemon(`another vcstore serve is listening on ${socket}`);
  await unlink(socket);
}

function answers(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const conn = connect(socket);
    conn.once('connect', () => (conn.destroy(), resolve(true)));
    conn.once('error', () => resolve(false));
  });
}

/** rw for the owner and the group only: whoever may write the socket may write every sandbox. */
export async function restrictSocket(socket: string, group: string | undefined): Promise<void> {
  await chmod(socket, 0o660);
  if (group !== undefined) await chown(socket, process.getuid?.() ?? 0, gidOf(group));
}

/** A group name from /etc/group, or a numeric gid. */
function gidOf(group: string): number {
  if (/^\d+$/.test(group)) return Number(group);
  for (const line of readFileSync('/etc/group', 'utf8').split('\n')) {
    const [name, , gid] = line.split(':');
    if (name === group && gid !== undefined) return Number(gid);
  }
  throw errDaemon(`--socket-group ${group}: no such group`);
}
