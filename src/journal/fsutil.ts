import { constants, lstatSync, writeSync } from 'node:fs';
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { errIO, errUnsafePath } from '../errors.ts';

const { O_RDONLY, O_RDWR, O_APPEND, O_CREAT, O_EXCL, O_NOFOLLOW, O_DIRECTORY } = constants;

/** Makes a new directory entry durable: fsync on the file alone does not. */
export async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, O_RDONLY | O_DIRECTORY);
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** mkdir -p with 0700, then fsync the parent of every directory it created. */
export async function ensureDir(dir: string): Promise<void> {
  const first = await mkdir(dir, { recursive: true, mode: 0o700 });
  if (first === undefined) return;
  for (let d = dir; ; d = dirname(d)) {
    await fsyncDir(dirname(d));
    if (d === first || d === dirname(d)) break;
  }
}

/** A symlink, FIFO or device in place of a journal is an attack or a mistake. */
export async function assertRegular(fh: FileHandle, file: string): Promise<void> {
  if (!(await fh.stat()).isFile()) {
    throw errIO(`open ${file}: not a regular file`, { file });
  }
}

/** Opens a journal for appending, creating it 0600 (and fsyncing its directory) if new. */
export async function openForAppend(file: string): Promise<FileHandle> {
  assertNotLinkedFolder(file);
  // O_APPEND: a write lands at the real end even if another process appended,
  // so a missed catch-up shows as a chain break instead of an overwrite.
  const flags = O_RDWR | O_APPEND | O_NOFOLLOW;
  let fh: FileHandle;
  try {
    fh = await open(file, flags | O_CREAT | O_EXCL, 0o600);
    await fsyncDir(dirname(file));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    fh = await open(file, flags);
  }
  await closeOnThrow(fh, () => assertRegular(fh, file));
  return fh;
}

/** Opens a file that must not be a symlink, read-only or read-write. */
export async function openExisting(file: string, write: boolean): Promise<FileHandle> {
  assertNotLinkedFolder(file);
  const fh = await open(file, (write ? O_RDWR : O_RDONLY) | O_NOFOLLOW);
  await closeOnThrow(fh, () => assertRegular(fh, file));
  return fh;
}

export async function closeOnThrow<T>(fh: FileHandle, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    await fh.close().catch(() => {});
    throw err;
  }
}

/**
 * O_NOFOLLOW guards the file itself; its folder (the sandbox's, directly
 * under the journal root) must not be a link either, or the journal would
 * live outside the root.
 */
export function assertNotLinkedFolder(file: string): void {
  const dir = dirname(file);
  if (lstatSync(dir, { throwIfNoEntry: false })?.isSymbolicLink()) {
    throw errUnsafePath(`refusing to follow the symbolic link ${dir} inside the journal root`, {
      file: dir,
    });
  }
}

/**
 * One write call for a group of frames; loops only if the kernel takes part of
 * it. Synchronous: an append-only write lands in the page cache in
 * microseconds, while a thread-pool round trip costs about a hundred; the
 * fdatasync that waits for the disk stays asynchronous.
 */
export function writeAll(fh: FileHandle, frame: Buffer): void {
  for (let off = 0; off < frame.length;) {
    const written = writeSync(fh.fd, frame, off, frame.length - off);
    if (written <= 0) throw errIO('write returned 0 bytes');
    off += written;
  }
}
