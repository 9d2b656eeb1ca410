import { constants, lstatSync, mkdirSync, readFileSync } from 'node:fs';
import { mkdir, open } from 'node:fs/promises';
import path from 'node:path';
import fse from 'fs-extra';
import { osError } from '../errors.ts';
import { failpoint } from '../failpoints.ts';
import { asStoreError } from '../journal/fsutil.ts';
import type { JournalEvent } from '../journal/record.ts';
import type { Roots } from '../layout/roots.ts';
import { diskPath } from '../layout/tree-path.ts';
import { writeFileAtomic, type Overlap } from './atomic-write.ts';
import { firstBlocker, unsafeLink } from './safe-path.ts';
import { changesOf, type Change, type TreeModel } from './tree-model.ts';
import { errnoOf, isMissing } from '../fs/missing.ts';

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
async function carryOut(roots: Roots, change: Change, how?: Overlap): Promise<void> {
  try {
    await carryOutRaw(roots, change, how);
  } catch (err) {
    throw asStoreError(change.kind === 'remove' ? 'remove' : 'write', diskPath(roots, change.path), err);
  }
}

async function carryOutRaw(roots: Roots, change: Change, how?: Overlap): Promise<void> {
  const target = diskPath(roots, change.path);
  // Never through a link planted in the tree: a folder is checked whole, a file up to its folder.
  const blocker = firstBlocker(rootPath(roots, change.path), change.kind === 'dir' ? target : path.dirname(target));
  if (blocker?.kind === 'symlink') throw unsafeLink(blocker.path);
  if (change.kind === 'dir') {
    if (blocker) await mkdir(target, { recursive: true, mode: DIR_MODE });
  } else if (change.kind === 'remove') {
    await fse.remove(target);
  } else if (change.keep) {
    await mkdir(path.dirname(target), { recursive: true, mode: DIR_MODE });
    await createIfAbsent(target);
  } else {
    await writeInFolder(target, change.content, how);
  }
}

/** A legacy file's text, or undefined when there is no readable file (a small file in the page cache: read synchronously). */
function readIfFile(file: string): string | undefined {
  return readBytesIfFile(file)?.toString('utf8');
}

/** A legacy file's bytes, or undefined when there is no readable file. */
function readBytesIfFile(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch (err) {
    // Missing, or a folder where the file belongs: either way it is rewritten. Anything else is a real error.
    if (isMissing(err) || errnoOf(err) === 'EISDIR') return undefined;
    throw osError('open', file, err);
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
    const current = readIfFile(diskPath(roots, treePath));
    if (current === content) continue;
    await carryOut(roots, { kind: 'file', path: treePath, content, keep: false });
    repaired.push(treePath);
  }
  for (const [treePath, raw] of model.binary) {
    const content = Buffer.from(raw, 'base64');
    if (readBytesIfFile(diskPath(roots, treePath))?.equals(content)) continue;
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
    const content = model.files.get(treePath);
    const raw = model.binary.get(treePath);
    if (raw !== undefined) {
      const bytes = Buffer.from(raw, 'base64');
      if (!readBytesIfFile(diskPath(roots, treePath))?.equals(bytes))
        await carryOut(roots, { kind: 'file', path: treePath, content: bytes, keep: false });
    } else if (content !== undefined) {
      const keep = treePath.endsWith('/lock');
      if (keep || readIfFile(diskPath(roots, treePath)) !== content)
        await carryOut(roots, { kind: 'file', path: treePath, content, keep });
    } else if (model.dirs.has(treePath)) {
      await carryOut(roots, { kind: 'dir', path: treePath });
    } else {
      await carryOut(roots, { kind: 'remove', path: treePath });
    }
  }
}
