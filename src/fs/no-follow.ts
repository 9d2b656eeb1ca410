import { closeSync, constants, fstatSync, lstatSync, openSync, readdirSync, readlinkSync, readSync } from 'node:fs';
import { errnoOf } from './missing.ts';

/**
 * Reading below a root without ever following a link, in any component.
 *
 * Node has no openat(2); on Linux `/proc/self/fd/<fd>/<name>` is the same
 * thing: the kernel resolves the fd's magic link to the very folder that fd
 * holds (never by its name again), then `<name>` inside it, and O_NOFOLLOW
 * refuses a link as the last component. So each folder is opened from the
 * one above it, and a folder swapped for a link after it was checked cannot
 * redirect a read: the open, not an earlier lstat, decides.
 */

/** What a path below a root holds: a file's bytes, a folder, a link (its target as text), or something else. */
export type Found = Buffer | 'dir' | { link: string } | 'other';

const DIR = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW;
// O_NONBLOCK: a FIFO planted where a file belongs must not block the reader.
const FILE = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

/** The path that names `name` inside the folder open on `dirFd`. */
export const inFd = (dirFd: number, name: string): string => `/proc/self/fd/${dirFd}/${name}`;

/** The folder a path through `dirFd` names: the open folder itself (for readdir, fs.watch). */
export const fdPath = (dirFd: number): string => `/proc/self/fd/${dirFd}`;

export type Opened = { fd: number } | { stop: number; found: Found | null };

/**
 * Opens the folder `parts` names below `root` (which may itself be a link: an
 * administrator's choice), one component at a time. When a component is not
 * a real folder, `stop` is its index and `found` what is there (`null`: nothing).
 * The caller closes `fd`.
 */
export function openDirBelow(root: string, parts: readonly string[]): Opened {
  let fd: number;
  try {
    fd = openSync(root, constants.O_RDONLY | constants.O_DIRECTORY);
  } catch (err) {
    if (gone(err)) return { stop: -1, found: null };
    throw err;
  }
  for (const [i, part] of parts.entries()) {
    let next: number;
    try {
      next = openSync(inFd(fd, part), DIR);
    } catch (err) {
      const found = gone(err) ? whatIs(fd, part) : undefined;
      closeSync(fd);
      if (found === undefined) throw err;
      // A folder here is one swapped in since the open failed: the caller's next look reads it.
      return { stop: i, found: found === 'dir' ? null : found };
    }
    closeSync(fd);
    fd = next;
  }
  return { fd };
}

/**
 * What `name` inside the folder on `dirFd` holds, read through an fd opened
 * without following a link; for a folder, `visit` is called with its own fd
 * (closed after) so the caller may go on below it.
 */
export function readEntry(dirFd: number, name: string, visit?: (fd: number) => void): Found | null {
  let fd: number;
  try {
    fd = openSync(inFd(dirFd, name), FILE);
  } catch (err) {
    if (errnoOf(err) === 'ENXIO') return 'other'; // a socket
    if (errnoOf(err) === 'ELOOP') return whatIs(dirFd, name);
    if (gone(err)) return null;
    throw err;
  }
  try {
    const info = fstatSync(fd);
    if (info.isFile()) return readAll(fd, info.size);
    if (!info.isDirectory()) return 'other';
    visit?.(fd);
    return 'dir';
  } finally {
    closeSync(fd);
  }
}

/** The names in the folder on `dirFd`; none when it went away meanwhile. */
export function namesIn(dirFd: number): string[] {
  try {
    return readdirSync(fdPath(dirFd));
  } catch (err) {
    if (gone(err)) return [];
    throw err;
  }
}

/** What an entry that would not open as asked is, by lstat (which never follows the last component); a file is `other` here. */
function whatIs(dirFd: number, name: string): Found | null {
  const info = lstatSync(inFd(dirFd, name), { throwIfNoEntry: false });
  if (!info) return null;
  if (!info.isSymbolicLink()) return info.isDirectory() ? 'dir' : 'other';
  try {
    return { link: readlinkSync(inFd(dirFd, name), 'utf8') };
  } catch (err) {
    if (gone(err) || errnoOf(err) === 'EINVAL') return null; // swapped again meanwhile: the next event reads it
    throw err;
  }
}

function readAll(fd: number, size: number): Buffer {
  const chunks: Buffer[] = [];
  let total = 0;
  // The size is a hint: the legacy writer may be growing the file right now.
  for (let chunk = Buffer.allocUnsafe(Math.max(size, 4096)); ; chunk = Buffer.allocUnsafe(65536)) {
    const n = readSync(fd, chunk, 0, chunk.length, null);
    if (n === 0) break;
    chunks.push(chunk.subarray(0, n));
    total += n;
  }
  return Buffer.concat(chunks, total);
}

/** Missing, or a file where a folder was looked for: nothing there to read. */
function gone(err: unknown): boolean {
  const code = errnoOf(err);
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** Whether `found` is a link. */
export const isLink = (found: Found | null | undefined): found is { link: string } =>
  typeof found === 'object' && found !== null && !Buffer.isBuffer(found);
