import { readFileSync } from 'node:fs';
import { chmod, chown, link, lstat, mkdir, mkdtemp, rm, unlink } from 'node:fs/promises';
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
  if (Buffer.byteLength(socket) > SUN_PATH)
    throw errDaemon(`socket path ${socket} is ${Buffer.byteLength(socket)} bytes: the limit is ${SUN_PATH}`);
  if (Buffer.byteLength(path.dirname(socket)) + PRIVATE_NAME > SUN_PATH)
    throw errDaemon(
      `socket folder ${path.dirname(socket)} is ${Buffer.byteLength(path.dirname(socket))} bytes: the limit is ${SUN_PATH - PRIVATE_NAME} (the socket is made in a private folder there first)`,
    );
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

/** The bytes of sun_path without its NUL. */
const SUN_PATH = 107;
/** What the private folder adds to the socket's folder path: `/.XXXXXX/s`. */
const PRIVATE_NAME = 10;

export interface PlacedSocket {
  /** Removes the socket, if the file at its path is still the one this daemon made. */
  remove(): Promise<void>;
}

/**
 * Listens on `socket` without it ever being wider than 0660, whatever the
 * umask: `listen` binds it in a fresh 0700 folder beside the path, where
 * nobody else can reach it; it is restricted there, then linked into place
 * (link(2), unlike rename, never replaces a file another daemon put there
 * meanwhile). The listening server keeps the socket it bound: a socket is
 * found by its inode, not its name.
 */
export async function listenPrivately(
  socket: string,
  group: string | undefined,
  listen: (path: string) => Promise<unknown>,
): Promise<PlacedSocket> {
  const folder = await mkdtemp(path.join(path.dirname(socket), '.')); // mode 0700, whatever the umask
  let made: { ino: number; dev: number };
  try {
    const inside = path.join(folder, 's');
    await listen(inside);
    await restrictSocket(inside, group);
    made = await lstat(inside);
    await link(inside, socket).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'EEXIST') throw errDaemon(`${socket} appeared while this daemon started: not replacing it`);
      throw errDaemon(`cannot put the socket at ${socket}: ${err.message}`, err);
    });
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
  return {
    async remove() {
      const now = await lstat(socket).catch(() => undefined);
      if (now?.ino === made.ino && now.dev === made.dev) await unlink(socket);
    },
  };
}

/** rw for the owner and the group only: whoever may write the socket may write every sandbox. */
async function restrictSocket(socket: string, group: string | undefined): Promise<void> {
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
