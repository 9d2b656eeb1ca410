import { closeSync, lstatSync } from 'node:fs';
import type { Roots } from '../layout/roots.ts';
import { errnoOf } from '../fs/missing.ts';
import { fdPath, inFd, namesIn, openDirBelow } from '../fs/no-follow.ts';

/** Below the roots: sandbox folders (1), container folders (2), and their entries. */
const MAX_DEPTH = 2;

/** A tree path → what lstat said of it: kind, inode, size, mtime and ctime (ns); a folder's kind and inode. */
export type Snapshot = Map<string, string>;

/** lstat calls between two turns of the event loop: a stop or an event is never kept waiting long. */
const BATCH = 200;

/**
 * The tree's metadata, without reading a file or following a link: what
 * fs.watch may have missed (its queue overflowed, silently; a write through
 * a hard link elsewhere; a watch not yet added) shows as a changed inode,
 * size, mtime or ctime. One lstat per entry, in batches that leave the
 * event loop free in between; undefined when `stopped` said so meanwhile.
 */
export async function snapshot(roots: Roots, stopped: () => boolean = () => false): Promise<Snapshot | undefined> {
  const out: Snapshot = new Map();
  const budget = { left: BATCH };
  for (const side of ['config', 'run'] as const) {
    const opened = openDirBelow(roots[side], []);
    if (!('fd' in opened)) continue;
    try {
      if (!(await scan(opened.fd, side, 0, out, budget, stopped))) return undefined;
    } finally {
      closeSync(opened.fd);
    }
  }
  return out;
}

async function scan(
  dirFd: number,
  treePath: string,
  depth: number,
  out: Snapshot,
  budget: { left: number },
  stopped: () => boolean,
): Promise<boolean> {
  for (const name of namesIn(dirFd)) {
    if (--budget.left <= 0) {
      budget.left = BATCH;
      await new Promise((resolve) => setImmediate(resolve));
      if (stopped()) return false;
    }
    const child = `${treePath}/${name}`;
    const info = lstatOrGone(inFd(dirFd, name));
    if (!info) continue;
    const kind = info.isDirectory() ? 'd' : info.isFile() ? 'f' : info.isSymbolicLink() ? 'l' : 'o';
    // A folder by its inode alone: an entry made or removed in it shows as that entry.
    out.set(child, kind === 'd' ? `d:${info.ino}` : `${kind}:${info.ino}:${info.size}:${info.mtimeNs}:${info.ctimeNs}`);
    if (kind !== 'd' || depth >= MAX_DEPTH) continue;
    const opened = openDirBelow(fdPath(dirFd), [name]);
    if (!('fd' in opened)) continue; // swapped meanwhile: the next check sees what it became
    try {
      if (!(await scan(opened.fd, child, depth + 1, out, budget, stopped))) return false;
    } finally {
      closeSync(opened.fd);
    }
  }
  return true;
}

/** The paths whose metadata differ between two snapshots: changed, made or gone. */
export function changedPaths(before: Snapshot, after: Snapshot): string[] {
  const changed: string[] = [];
  for (const [p, sig] of after) if (before.get(p) !== sig) changed.push(p);
  for (const p of before.keys()) if (!after.has(p)) changed.push(p);
  return changed;
}

function lstatOrGone(file: string) {
  try {
    return lstatSync(file, { bigint: true, throwIfNoEntry: false });
  } catch (err) {
    if (errnoOf(err) === 'ENOTDIR') return undefined;
    throw err;
  }
}
