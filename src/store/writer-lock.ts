import { linkSync, lstatSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { osError, StoreError } from '../errors.ts';
import { failpoint } from '../failpoints.ts';
import { ensureJournalRoot, LOCKS_DIR } from '../layout/journals.ts';
import type { Logger } from '../log.ts';
import { bootTime, isDead, newOwner, type Owner } from './owner.ts';

/**
 * How long a writer waits for a live holder before it gives up with ELOCKED
 * (VCSTORE_LOCK_WAIT_MS, default 60 s). A live holder is never overtaken,
 * however long it is frozen; a dead one is taken over at once.
 */
const waitMs = () => Number(process.env.VCSTORE_LOCK_WAIT_MS) || 60_000;

export interface WriterLock {
  /** Throws ECOMPROMISED unless the lock file is still ours: called right before every append. */
  check(): void;
  release(): Promise<void>;
}

/**
 * The cross-process writer lock of one sandbox: the file `@locks/<sandbox>.lock`,
 * made with its owner record in one step (link(2) of a temp file, which fails
 * if the name exists). The protocol, and why it is safe, is in docs/recovery.md.
 */
export async function lockSandbox(journalRoot: string, sandboxID: string, log: Logger): Promise<WriterLock> {
  await ensureJournalRoot(journalRoot);
  const dir = path.join(journalRoot, LOCKS_DIR);
  const file = path.join(dir, `${sandboxID}.lock`);
  const tmp = writeOwnerTemp(dir, newOwner());
  const ino = lstatSync(tmp).ino;
  try {
    await acquire(file, tmp, sandboxID, log);
  } finally {
    unlinkQuietly(tmp);
  }
  failpoint('lock-acquired');
  const ours = () => inode(file) === ino;
  return {
    check() {
      if (!ours()) throw new StoreError('ECOMPROMISED', `the lock of sandbox ${sandboxID} is no longer held by this writer (${file})`, { file });
    },
    async release() {
      // Nobody takes a live holder's lock, so between this check and the unlink it stays ours.
      if (ours()) unlinkQuietly(file);
      else log.error({ sandbox: sandboxID, file }, 'sandbox lock was not ours at release: left alone');
    },
  };
}

async function acquire(file: string, tmp: string, sandboxID: string, log: Logger): Promise<void> {
  const deadline = Date.now() + waitMs();
  for (let delay = 1; ; delay = Math.min(delay * 2, 25)) {
    try {
      linkSync(tmp, file);
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw osError('link', file, err);
    }
    const holder = readHolder(file);
    if (holder === undefined) continue; // released meanwhile
    if (holder.dead) {
      log.warn({ sandbox: sandboxID, holder: holder.owner }, 'taking over the lock of a dead writer');
      reap(file, holder.ino, log);
      continue;
    }
    if (Date.now() >= deadline) {
      const who = holder.owner ? `pid ${holder.owner.pid}` : 'an unreadable owner record';
      throw new StoreError('ELOCKED', `sandbox ${sandboxID} is locked by another writer (${who}, ${file})`, { file });
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
 * The holder of a lock file, or undefined if it is gone. A record that does
 * not parse (a power failure before its bytes reached the disk) is dead only
 * if the file is older than this boot.
 */
function readHolder(file: string): Holder | undefined {
  let ino: number;
  let text: string;
  let mtimeMs: number;
  try {
    const info = lstatSync(file);
    if (!info.isFile()) throw new StoreError('EUNSAFEPATH', `${file} is not a regular file: remove it if no writer runs`, { file });
    ({ ino, mtimeMs } = info);
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err instanceof StoreError ? err : osError('open', file, err);
  }
  const owner = parseOwner(text);
  if (owner) return { ino, owner, dead: isDead(owner) };
  const booted = bootTime();
  return { ino, dead: booted !== undefined && mtimeMs < booted * 1000 };
}

/**
 * Removes the lock file with inode `ino`, whose owner is dead. Several
 * waiters may find it dead at once: each must first create the marker
 * `<lock>~<ino>`, so one alone reaps it; it checks the inode again (only a
 * reaper removes a dead owner's file, so it cannot have changed hands) and
 * unlinks. A reaper that died leaves its marker: that marker's owner is
 * dead too, and is reaped the same way.
 */
function reap(file: string, ino: number, log: Logger): void {
  const marker = `${file}~${ino}`;
  if (!createOwned(marker)) {
    const reaper = readHolder(marker);
    if (reaper?.dead) reap(marker, reaper.ino, log);
    return; // a live reaper is at work, or the marker just went: look again
  }
  try {
    if (inode(file) === ino) unlinkSync(file);
  } finally {
    unlinkQuietly(marker);
  }
}

/** Creates `file` holding a new owner record, in one step; false if the name is taken. */
function createOwned(file: string): boolean {
  const owner = newOwner();
  const tmp = writeOwnerTemp(path.dirname(file), owner);
  try {
    linkSync(tmp, file);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code === 'ENAMETOOLONG') throw new StoreError('ELOCKED', `${file}: too many dead reapers`, { file });
    throw osError('link', file, err);
  } finally {
    unlinkQuietly(tmp);
  }
}

/** A temp file in `dir` with the owner record; returns its path. */
function writeOwnerTemp(dir: string, owner: Owner): string {
  const tmp = path.join(dir, `~${owner.nonce}.tmp`);
  try {
    writeFileSync(tmp, JSON.stringify(owner), { flag: 'wx', mode: 0o600 });
  } catch (err) {
    throw osError('open', tmp, err);
  }
  return tmp;
}

function parseOwner(text: string): Owner | undefined {
  try {
    const o = JSON.parse(text) as Partial<Owner> | null;
    if (typeof o?.pid !== 'number' || typeof o.boot !== 'string' || typeof o.start !== 'string' || typeof o.ns !== 'string') return undefined;
    return { pid: o.pid, start: o.start, boot: o.boot, ns: o.ns, nonce: String(o.nonce) };
  } catch {
    return undefined;
  }
}

function inode(file: string): number | undefined {
  try {
    return lstatSync(file).ino;
  } catch {
    return undefined;
  }
}

function unlinkQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // already gone
  }
}
