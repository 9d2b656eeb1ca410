import {
  closeSync,
  constants,
  fchmodSync,
  fchownSync,
  fstatSync,
  lstatSync,
  openSync,
  renameSync,
  rmSync,
  writeSync,
  type BigIntStats,
} from 'node:fs';
import { rename } from 'node:fs/promises';
import path from 'node:path';
import { failpoint } from '../failpoints.ts';
import { markOf, type FileMark, type Looks } from '../fs/looks.ts';
import { errnoOf } from '../fs/missing.ts';

export const TEMP_MARK = '.vcstore-tmp-';
let counter = 0;

const FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/**
 * How a projection may use the event loop: `overlap` when other sandboxes of
 * this process are committing too. `looks`: what the group saw at the files
 * it replaces (their mode and owner are taken from there), and where what it
 * wrote is told.
 */
export interface Overlap {
  overlap: boolean;
  looks?: Looks | undefined;
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
  const existing = how.looks ? how.looks.at(file) : lstatSync(file, { bigint: true, throwIfNoEntry: false });
  const fd = openSync(tmp, FLAGS, 0o666);
  let made: FileMark;
  try {
    try {
      const bytes = typeof content === 'string' ? Buffer.from(content) : content;
      for (let off = 0; off < bytes.length;) off += writeSync(fd, bytes, off);
      // Read right after the write: a later change to the file gets a later modification time (looks.ts).
      made = markOf(fstatSync(fd, { bigint: true }));
      if (existing?.isFile()) made = keepModeAndOwner(fd, existing, made);
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
  if (typeof content === 'string') how.looks?.wrote(file, { mark: made, content });
}

/**
 * The legacy writer truncated the file in place, so a file someone made 0600
 * or gave to a group kept that. A replacement keeps them too: same mode, and
 * the same owner where this process may set it. Each is set only where the
 * new file, as made under the umask, differs. Says what the file now is.
 */
function keepModeAndOwner(fd: number, existing: BigIntStats, made: FileMark): FileMark {
  const mode = existing.mode & 0o7777n;
  let kept = made;
  if ((made.mode & 0o7777n) !== mode) {
    fchmodSync(fd, Number(mode));
    kept = { ...kept, mode: (made.mode & ~0o7777n) | mode };
  }
  if (made.uid === existing.uid && made.gid === existing.gid) return kept;
  try {
    fchownSync(fd, Number(existing.uid), Number(existing.gid));
    return { ...kept, uid: existing.uid, gid: existing.gid };
  } catch (err) {
    if (errnoOf(err) !== 'EPERM') throw err;
    return kept;
  }
}
