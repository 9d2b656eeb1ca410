import { closeSync, constants, lstatSync, mkdirSync, unlinkSync } from 'node:fs';
import { mkdir, open } from 'node:fs/promises';
import path from 'node:path';
import fse from 'fs-extra';
import { osError } from '../errors.ts';
import { failpoint } from '../failpoints.ts';
import type { JournalEvent } from '../journal/record.ts';
import type { Roots } from '../layout/roots.ts';
import { diskPath } from '../layout/tree-path.ts';
import { writeFileAtomic, type Overlap } from './atomic-write.ts';
import { firstBlocker, unsafeLink } from './safe-path.ts';
import { changesOf, type Change, type TreeModel } from './tree-model.ts';
import { errnoOf } from '../fs/missing.ts';
import { openDirBelow, readEntry } from '../fs/no-follow.ts';

const DIR_MODE = 0o750;

const rootPath = (roots: Roots, treePath: string) => (treePath.startsWith('run/') ? roots.run : roots.config);

/** Carries out one event on the legacy tree. Every step is idempotent, so it can run again after a crash. */
export async function project(roots: Roots, event: JournalEvent, how?: Overlap): Promise<void> {
  const changes = changesOf(event);
  for (const [i, change] of changes.entries()) {
    if (i > 0) failpoint(change.kind === 'remove' ? 'between-removes' : 'between-mkdirs');
    await carryOut(roots, change, how);
  }
}

/** Carries out one change; a file system error comes back coded (ENOSPC, EIO, …) with its path. */
async function carryOut(roots: Roots, change: Change, how?: Overlap): Promise<boolean> {
  try {
    return await carryOutRaw(roots, change, how);
  } catch (err) {
    throw osError(change.kind === 'remove' ? 'remove' : 'write', diskPath(roots, change.path), err);
  }
}

/** Carries out one change; true when it replaced a link at the change's own path. */
async function carryOutRaw(roots: Roots, change: Change, how?: Overlap): Promise<boolean> {
  const target = diskPath(roots, change.path);
  // Never through a link planted in the tree: a folder is checked whole, a file up to its folder.
  const blocker = firstBlocker(rootPath(roots, change.path), change.kind === 'dir' ? target : path.dirname(target));
  // A link in the journal's way at the path itself is replaced (unlink acts on the link, never its target);
  // one above it is refused: the folder in its place is the journal's to make first.
  const replaced = blocker?.kind === 'symlink' && blocker.path === target;
  if (blocker?.kind === 'symlink' && !replaced) throw unsafeLink(blocker.path);
  if (replaced) unlinkSync(target);
  if (change.kind === 'dir') {
    if (blocker) await mkdir(target, { recursive: true, mode: DIR_MODE });
  } else if (change.kind === 'remove') {
    await fse.remove(target);
  } else if (change.keep) {
    await mkdir(path.dirname(target), { recursive: true, mode: DIR_MODE });
    if (lstatSync(target, { throwIfNoEntry: false })?.isSymbolicLink()) unlinkSync(target);
    await createIfAbsent(target);
  } else {
    // The rename at its end replaces a link at the path itself: nothing is written through it.
    await writeInFolder(target, change.content, how);
  }
  return replaced;
}

/** A legacy file's text, or undefined when there is no readable file (a small file in the page cache: read synchronously). */
function readIfFile(roots: Roots, treePath: string): string | undefined {
  return readBytesIfFile(roots, treePath)?.toString('utf8');
}

/**
 * A legacy file's bytes, or undefined when there is no file: missing, a
 * folder, or a link in any component (never read through: it is replaced).
 * Anything else is a real error.
 */
function readBytesIfFile(roots: Roots, treePath: string): Buffer | undefined {
  const [side, ...parts] = treePath.split('/');
  const name = parts.pop();
  if ((side !== 'config' && side !== 'run') || name === undefined) return undefined;
  try {
    const opened = openDirBelow(roots[side], parts);
    if ('stop' in opened) return undefined;
    try {
      const found = readEntry(opened.fd, name);
      return Buffer.isBuffer(found) ? found : undefined;
    } finally {
      closeSync(opened.fd);
    }
  } catch (err) {
    throw osError('open', diskPath(roots, treePath), err);
  }
}

/** A store's folder exists when it is written; a replay or a rebuild may have to make it first. */
async function writeInFolder(file: string, content: string | Buffer, how?: Overlap): Promise<void> {
  try {
    await writeFileAtomic(file, content, how);
  } catch (err) {
    if (errnoOf(err) !== 'ENOENT') throw err;
    mkdirSync(path.dirname(file), { recursive: true, mode: DIR_MODE });
    await writeFileAtomic(file, content, how);
  }
}

/** The legacy lock file: made empty when nothing exists at its path (a folder there is accepted). */
async function createIfAbsent(file: string): Promise<void> {
  try {
    const handle = await open(
      file,
      constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
      0o666,
    );
    await handle.close();
  } catch (err) {
    if (errnoOf(err) !== 'EEXIST') throw err;
  }
}

/**
 * Brings the disk in line with the journal: the folders and files the model
 * holds are made or rewritten where they differ, and every folder an event
 * removed is removed if it is still there (a writer may have died before it
 * carried the removal out, whatever came after). A consistent tree is only
 * read, so this works on a full disk too. Returns the tree paths it changed.
 */
export async function reconcile(roots: Roots, model: TreeModel): Promise<string[]> {
  const repaired: string[] = [];
  for (const gone of model.removed) {
    // Only a folder is the removed one; anything else there was never vcstore's (it is reported, not deleted).
    if (!lstatSync(diskPath(roots, gone), { throwIfNoEntry: false })?.isDirectory()) continue;
    await carryOut(roots, { kind: 'remove', path: gone });
    repaired.push(gone);
  }
  for (const dir of model.dirs) await carryOut(roots, { kind: 'dir', path: dir });
  for (const [treePath, content] of model.files) {
    if (treePath.endsWith('/lock')) {
      await carryOut(roots, { kind: 'file', path: treePath, content, keep: true }); // a held lock keeps its content
      continue;
    }
    const current = readIfFile(roots, treePath);
    if (current === content) continue;
    await carryOut(roots, { kind: 'file', path: treePath, content, keep: false });
    repaired.push(treePath);
  }
  for (const [treePath, raw] of model.binary) {
    const content = Buffer.from(raw, 'base64');
    if (readBytesIfFile(roots, treePath)?.equals(content)) continue;
    await carryOut(roots, { kind: 'file', path: treePath, content, keep: false });
    repaired.push(treePath);
  }
  return repaired;
}

/**
 * Brings only these tree paths in line with the model: what a writer checks
 * after reading events another process appended (it projected them, unless it
 * died first). A path the model no longer holds is removed.
 */
export async function reconcilePaths(roots: Roots, model: TreeModel, paths: Iterable<string>): Promise<void> {
  for (const treePath of paths) {
    // A folder of the journal's swapped for a link above the path: replaced first, with all it holds.
    const linked = linkedFolderAbove(roots, model, treePath);
    if (linked !== undefined) {
      await reconcilePaths(roots, model, [linked]);
      continue;
    }
    const content = model.files.get(treePath);
    const raw = model.binary.get(treePath);
    if (raw !== undefined) {
      const bytes = Buffer.from(raw, 'base64');
      if (!readBytesIfFile(roots, treePath)?.equals(bytes))
        await carryOut(roots, { kind: 'file', path: treePath, content: bytes, keep: false });
    } else if (content !== undefined) {
      const keep = treePath.endsWith('/lock');
      if (keep || readIfFile(roots, treePath) !== content)
        await carryOut(roots, { kind: 'file', path: treePath, content, keep });
    } else if (model.dirs.has(treePath)) {
      // A folder made in place of a link is empty: what the journal holds below it is written too. Below a
      // folder that was there, only what the journal holds and a link now stands in for is put back.
      if (await carryOut(roots, { kind: 'dir', path: treePath }))
        await reconcilePaths(roots, model, below(model, treePath));
      else
        await reconcilePaths(
          roots,
          model,
          below(model, treePath).filter((p) => isLinkAt(roots, p)),
        );
    } else if (model.links.has(treePath)) {
      continue; // an adopted link is the state: left as it is
    } else {
      await carryOut(roots, { kind: 'remove', path: treePath });
    }
  }
}

/** The topmost folder above `treePath` that the model holds and the disk has as a link. */
function linkedFolderAbove(roots: Roots, model: TreeModel, treePath: string): string | undefined {
  const parts = treePath.split('/');
  for (let i = 2; i < parts.length; i++) {
    const dir = parts.slice(0, i).join('/');
    let info;
    try {
      info = lstatSync(diskPath(roots, dir), { throwIfNoEntry: false });
    } catch (err) {
      if (errnoOf(err) === 'ENOTDIR') return undefined; // changed meanwhile: the write below finds what it is
      throw err;
    }
    if (!info?.isDirectory()) return info?.isSymbolicLink() && model.dirs.has(dir) ? dir : undefined;
  }
  return undefined;
}

/** Whether a link stands at the tree path (an lstat, never followed; a component missing is no link). */
function isLinkAt(roots: Roots, treePath: string): boolean {
  try {
    return lstatSync(diskPath(roots, treePath), { throwIfNoEntry: false })?.isSymbolicLink() ?? false;
  } catch (err) {
    if (errnoOf(err) === 'ENOTDIR') return false;
    throw err;
  }
}

/** Every path the model holds strictly below `dir`, parents first. */
function below(model: TreeModel, dir: string): string[] {
  const all = [...model.dirs, ...model.files.keys(), ...model.binary.keys()];
  return all.filter((p) => p.startsWith(`${dir}/`)).sort();
}
