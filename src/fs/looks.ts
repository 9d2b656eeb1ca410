import { lstatSync, type BigIntStats } from 'node:fs';

/** A file as one `stat` showed it: enough to tell the same bytes from a file changed since. */
export interface FileMark {
  dev: bigint;
  ino: bigint;
  size: bigint;
  mtimeNs: bigint;
  mode: bigint;
  uid: bigint;
  gid: bigint;
}

/** What this process itself left at a path: the file's mark, and the text it wrote there. */
export interface OwnWrite {
  mark: FileMark;
  content: string;
}

/**
 * What one group of writes found at the files it is about to replace, each
 * looked at once (lstat: a link is seen as a link, never followed) and shared
 * by the group's checks, its drift check and its projection; and what the
 * projection then wrote. Lives for one group only: a look is a moment's view.
 */
export class Looks {
  private readonly seen = new Map<string, BigIntStats | undefined>();
  /** The files the group's projection wrote, by disk path. */
  readonly written = new Map<string, OwnWrite>();

  /** The lstat of `file`, made once for the group (undefined: nothing there). */
  at(file: string): BigIntStats | undefined {
    if (this.seen.has(file)) return this.seen.get(file);
    const info = lstatSync(file, { bigint: true, throwIfNoEntry: false });
    this.seen.set(file, info);
    return info;
  }

  /** The group looked at `file` already. */
  has(file: string): boolean {
    return this.seen.has(file);
  }

  wrote(file: string, write: OwnWrite): void {
    this.seen.delete(file); // what the group saw there before is gone
    this.written.set(file, write);
  }
}

/**
 * The file is still the one that `mark` describes: the same inode, size,
 * modification time (to the nanosecond), mode and owner. An outside write
 * in place changes the modification time: since Linux 6.13 (multigrain
 * timestamps, on tmpfs, ext4, xfs and btrfs) a change made after the time was
 * read always gets a later one, and the writer reads it right after its own
 * write; on older kernels, a write of the same size within the same clock
 * tick (1-4 ms) can keep it (docs/adoption.md).
 */
export function isMarked(info: BigIntStats | undefined, mark: FileMark): boolean {
  return (
    info !== undefined &&
    info.isFile() &&
    info.ino === mark.ino &&
    info.dev === mark.dev &&
    info.size === mark.size &&
    info.mtimeNs === mark.mtimeNs &&
    info.mode === mark.mode &&
    info.uid === mark.uid &&
    info.gid === mark.gid
  );
}

/** The mark of a file from its stat. */
export const markOf = (s: BigIntStats): FileMark => ({
  dev: s.dev,
  ino: s.ino,
  size: s.size,
  mtimeNs: s.mtimeNs,
  mode: s.mode,
  uid: s.uid,
  gid: s.gid,
});
