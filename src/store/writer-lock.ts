import { lstatSync, readlinkSync, symlinkSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { errCompromised, errLocked, errUnsafePath, osError } from '../errors.ts';
import { failpoint } from '../failpoints.ts';
import { ensureJournalRoot, LOCKS_DIR } from '../layout/journals.ts';
import type { Logger } from '../log.ts';
import { bootTimeMs, formatOwner, isDead, newOwner, parseOwner, type Owner } from './owner.ts';
import { errnoOf, isMissing } from '../fs/missing.ts';

/**
 * How long a writer waits for a live holder before it gives up with ELOCKED
 * (VCSTORE_LOCK_WAIT_MS, default 60 s). A live holder is never overtaken,
 * however long it is frozen; a dead one is taken over at once.
 */
const waitMs = () => Number(process.env.VCSTORE_LOCK_WAIT_MS) || 60_000;

export interface WriterLock {
  /** Throws ECOMPROMISED unless the lock is still ours: called right before every append. */
  check(): void;
  release(): Promise<void>;
}

/**
 * The cross-process writer lock of one sandbox: the symbolic link
 * `@locks/<sandbox>.lock`, whose target is its owner. symlink(2) makes it
 * with its owner in one step, fails if the name exists, and needs no data
 * block, so it works on a full disk. The protocol, and why it is safe, is in
 * docs/recovery.md.
 */
export async function lockSandbox(journalRoot: string, sandboxID: string, log: Logger): Promise<WriterLock> {
  await ensureJournalRoot(journalRoot);
  const file = path.join(journalRoot, LOCKS_DIR, `${sandboxID}.lock`);
  const me = formatOwner(newOwner());
  await acquire(file, me, sandboxID, log);
  failpoint('lock-acquired');
  const ours = () => readOwner(file) === me;
  return {
    check() {
      if (!ours())
        throw errCompromised(`the lock of sandbox ${sandboxID} is no longer held by this writer (${file})`, { file });
    },
    async release() {
      // Nobody takes a live holder's lock, so between this check and the unlink it stays ours.
      if (ours()) unlinkQuietly(file);
      else log.error({ sandbox: sandboxID, file }, 'sandbox lock was not ours at release: left alone');
    },
  };
}

async function acquire(file: string, me: string, sandboxID: string, log: Logger): Promise<void> {
  const deadline = Date.now() + waitMs();
  for (let delay = 1; ; delay = Math.min(delay * 2, 25)) {
    if (create(file, me)) return;
    const holder = readHolder(file);
    if (holder === undefined) continue; // released meanwhile
    if (holder.dead) {
      log.warn({ sandbox: sandboxID, holder: holder.owner }, 'taking over the lock of a dead writer');
      reap(file, holder.ino);
      continue;
    }
    if (Date.now() >= deadline) {
      const who = holder.owner ? `pid ${holder.owner.pid}` : 'an owner it cannot read';
      throw errLocked(`sandbox ${sandboxID} is locked by another writer (${who}, ${file})`, { file });
    }
    await sleep(delay);
  }
}

interface Holder {
  ino: number;
  owner?: Owner;
  dead: boolean;
}

/**
 * The holder of a lock, or undefined if it is gone. Anything at the lock's
 * name made before this boot is dead, whatever it says; otherwise an owner
 * that does not parse (not made by this protocol) is presumed alive.
 */
function readHolder(file: string): Holder | undefined {
  let info;
  try {
    info = lstatSync(file);
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') return undefined;
    throw osError('lstat', file, err);
  }
  if (info.isDirectory()) throw errUnsafePath(`${file} is a folder, not a lock: remove it if no writer runs`, { file });
  const booted = bootTimeMs();
  const owner = info.isSymbolicLink() ? parseOwner(readOwner(file) ?? '') : undefined;
  if (booted !== undefined && info.ctimeMs < booted) return { ino: info.ino, ...(owner ? { owner } : {}), dead: true };
  return { ino: info.ino, ...(owner ? { owner } : {}), dead: owner !== undefined && isDead(owner) };
}

/**
 * Removes the lock with inode `ino`, whose owner is dead. Several waiters may
 * find it dead at once: each must first create the marker `<lock>~<ino>`, so
 * one alone reaps it; it checks the inode again (only a reaper removes a dead
 * owner's lock, so it cannot have changed hands) and unlinks. A reaper that
 * died leaves its marker: that marker's owner is dead too, and is reaped the
 * same way.
 */
function reap(file: string, ino: number): void {
  const marker = `${file}~${ino}`;
  if (!create(marker, formatOwner(newOwner()))) {
    const reaper = readHolder(marker);
    if (reaper?.dead) reap(marker, reaper.ino);
    return; // a live reaper is at work, or the marker just went: look again
  }
  try {
    if (lstatSync(file, { throwIfNoEntry: false })?.ino === ino) unlinkSync(file);
  } finally {
    unlinkQuietly(marker);
  }
}

/** Makes `file` a link to `owner`, in one step; false if the name is taken. */
function create(file: string, owner: string): boolean {
  try {
    symlinkSync(owner, file);
    return true;
  } catch (err) {
    const code = errnoOf(err);
    if (code === 'EEXIST') return false;
    if (code === 'ENAMETOOLONG') throw errLocked(`${file}: too many dead reapers`, { file });
    throw osError('symlink', file, err);
  }
}

/** The owner a lock names, or undefined if there is no link there. */
function readOwner(file: string): string | undefined {
  try {
    return readlinkSync(file);
  } catch (err) {
    const code = errnoOf(err);
    if (code === 'ENOENT' || code === 'EINVAL') return undefined; // gone, or not a link
    throw osError('readlink', file, err);
  }
}

function unlinkQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch (err) {
    if (!isMissing(err)) throw osError('unlink', file, err);
  }
}
