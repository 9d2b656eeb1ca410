import { lstatSync } from 'node:fs';
import path from 'node:path';
import { errUnsafePath, type StoreError } from '../errors.ts';
import { errnoOf } from '../fs/missing.ts';

export type Blocker = { path: string; kind: 'missing' | 'symlink' | 'file' };

/**
 * Looks at each component of `target` below `root`, from the top, without
 * following links, and returns the first one that is not a real folder. The
 * root itself may be a link (an administrator's choice); nothing below it may.
 * Synchronous on purpose: an lstat answered from the inode cache takes a few
 * microseconds, a round trip through libuv's thread pool tens, on every write.
 */
export function firstBlocker(root: string, target: string): Blocker | undefined {
  const rel = path.relative(root, target);
  // Compared by component: `..x` and `...` are names, only `..` itself climbs.
  if (rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) {
    throw errUnsafePath(`${target} is not under ${root}`, { file: target });
  }
  let current = root;
  for (const part of rel.split(path.sep).filter(Boolean)) {
    current = path.join(current, part);
    const info = lstatOrMissing(current);
    if (!info) return { path: current, kind: 'missing' };
    if (info.isSymbolicLink()) return { path: current, kind: 'symlink' };
    if (!info.isDirectory()) return { path: current, kind: 'file' };
  }
  return undefined;
}

export function unsafeLink(link: string): StoreError {
  return errUnsafePath(`refusing to follow the symbolic link ${link} inside the legacy tree`, {
    file: link,
  });
}

/** ENOTDIR means something above the root is not a folder: the caller checks the root for that. */
function lstatOrMissing(file: string) {
  try {
    return lstatSync(file, { throwIfNoEntry: false });
  } catch (err) {
    if (errnoOf(err) === 'ENOTDIR') return undefined;
    throw err;
  }
}
