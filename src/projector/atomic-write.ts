import {
  closeSync,
  constants,
  fchmodSync,
  fchownSync,
  lstatSync,
  openSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { rename } from 'node:fs/promises';
import path from 'node:path';
import { failpoint } from '../failpoints.ts';
import { errnoOf } from '../fs/missing.ts';

export const TEMP_MARK = '.vcstore-tmp-';
let counter = 0;

const FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/** How a projection may use the event loop: `overlap` when other sandboxes of this process are committing too. */
export interface Overlap {
  overlap: boolean;
}

/**
 * Writes a file so that a reader sees the old bytes or the new ones, never a
 * torn or empty file: a temp file in the same folder, renamed over the target.
 * No fsync here: the journal is the durable copy, and opening a sandbox
 * rewrites any file that lost its bytes in a power failure. The temp file is
 * written with synchronous calls: without an fsync they only touch the page
 * cache, a few microseconds each, where a thread-pool round trip costs tens.
 * The rename over a file that holds data costs 100-160 µs on ext4
 * (auto_da_alloc starts writeback of the new file): with `overlap` it goes
 * through the thread pool, so other sandboxes run meanwhile; alone, the
 * synchronous call saves the round trip.
 */
export async function writeFileAtomic(
  file: string,
  content: string | Buffer,
  how: Overlap = { overlap: false },
): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}${TEMP_MARK}${process.pid}-${++counter}`);
  const existing = lstatSync(file, { throwIfNoEntry: false });
  const fd = openSync(tmp, FLAGS, 0o666);
  try {
    try {
      if (existing?.isFile()) keepModeAndOwner(fd, existing);
      const bytes = typeof content === 'string' ? Buffer.from(content) : content;
      for (let off = 0; off < bytes.length;) off += writeSync(fd, bytes, off);
    } finally {
      closeSync(fd);
    }
    failpoint('temp-written');
    if (how.overlap) await rename(tmp, file);
    else renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/**
 * The legacy writer truncated the file in place, so a file someone made 0600
 * or gave to a group kept that. A replacement keeps them too: same mode, and
 * the same owner where this process may set it.
 */
function keepModeAndOwner(fd: number, existing: { mode: number; uid: number; gid: number }): void {
  fchmodSync(fd, existing.mode & 0o7777);
  try {
    fchownSync(fd, existing.uid, existing.gid);
  } catch (err) {
    if (errnoOf(err) !== 'EPERM') throw err;
  }
}
