import { lstatSync, readlinkSync, symlinkSync, unlinkSync, watch, type FSWatcher, type Stats } from 'node:fs';
import path from 'node:path';
import { errCompromised, errLocked, errUnsafePath, osError } from '../errors.ts';
import { delaypoint, failpoint } from '../failpoints.ts';
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

/** The longest pause between two tries of a waiter (VCSTORE_LOCK_POLL_MS, default 25 ms); a release wakes it sooner. */
const pollMs = () => Number(process.env.VCSTORE_LOCK_POLL_MS) || 25;

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
  const longest = pollMs();
  let release: ReleaseWatch | undefined;
  try {
    for (let delay = 1; ; delay = Math.min(delay * 2, longest)) {
      if (create(file, me)) return;
      const holder = readHolder(file);
      if (holder === undefined) continue; // released meanwhile
      if (holder.dead) {
        delaypoint('lock-judged-dead');
        log.warn({ sandbox: sandboxID, holder: holder.owner }, 'taking over the lock of a dead writer');
        if (takeOver(file, holder, me)) return;
        // Another waiter took it over first, or a live one is doing so: wait for it like for any holder.
      }
      if (Date.now() >= deadline) {
        const who = holder.owner ? `pid ${holder.owner.pid}` : 'an owner it cannot read';
        throw errLocked(`sandbox ${sandboxID} is locked by another writer (${who}, ${file})`, { file });
      }
      if (release === undefined) {
        // Watched from now on, then tried once more: a release from here on wakes the wait below.
        release = new ReleaseWatch(file);
        continue;
      }
      await release.wait(delay);
    }
  } finally {
    release?.close();
  }
}

/**
 * Wakes a waiter as soon as the entry at a lock's name changes (the holder
 * unlinks it), through inotify on the locks folder, instead of at its next
 * poll. Only when to try again changes: every try is the same symlink(2) as
 * before, so the protocol is untouched. Polling stays, as the fallback where
 * the folder cannot be watched (no inotify watch left, a file system that
 * sends no events) and for a change the watch misses.
 */
class ReleaseWatch {
  private watcher: FSWatcher | undefined;
  private changed = false;
  private wake: (() => void) | undefined;

  constructor(file: string) {
    const name = path.basename(file);
    try {
      this.watcher = watch(path.dirname(file), { persistent: false }, (_event, entry) => {
        if (entry !== null && entry !== name) return; // another sandbox's lock, or a takeover marker
        this.changed = true;
        this.wake?.();
      });
      this.watcher.on('error', () => this.close());
    } catch {
      this.watcher = undefined; // polled only
    }
  }

  /** Resolves after `ms`, or as soon as the lock's name has changed since the last wait. */
  wait(ms: number): Promise<void> {
    if (this.changed) {
      this.changed = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        this.changed = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }

  close(): void {
    this.watcher?.close();
    this.watcher = undefined;
    this.wake?.();
  }
}

/**
 * One entry found at a lock's name, as a waiter judged it. `key` names it
 * among every entry that name ever holds (its owner's nonce, or for an
 * entry from an earlier boot that names no owner, its inode), and `isStill`
 * tells whether the name holds that very entry now.
 */
interface Holder {
  owner?: Owner;
  dead: boolean;
  key: string;
  isStill(): boolean;
}

/**
 * The holder of a lock, or undefined if it is gone. Anything at the lock's
 * name made before this boot is dead, whatever it says; otherwise an owner
 * that does not parse (not made by this protocol) is presumed alive. The
 * target is read before the inode: an entry made before this boot cannot
 * come back once removed, so if the inode read second is one, the target
 * read first was its own.
 */
function readHolder(file: string): Holder | undefined {
  const target = readTarget(file);
  const info = lstatOf(file);
  if (target === GONE || info === undefined) return undefined;
  if (info.isDirectory()) throw errUnsafePath(`${file} is a folder, not a lock: remove it if no writer runs`, { file });
  const booted = bootTimeMs();
  const beforeBoot = booted !== undefined && info.ctimeMs < booted;
  const owner = target === undefined ? undefined : parseOwner(target);
  if (owner !== undefined)
    return { owner, dead: beforeBoot || isDead(owner), key: owner.nonce, isStill: () => readTarget(file) === target };
  const ino = info.ino;
  const isStill = () => {
    const now = lstatOf(file);
    return now !== undefined && now.ino === ino && booted !== undefined && now.ctimeMs < booted;
  };
  return { dead: beforeBoot, key: String(ino), isStill };
}

/**
 * Replaces the dead entry `dead` at `name` with a link to `mine`; true if
 * `name` is now ours. Several waiters may judge the same entry dead, and
 * some only long after another has replaced it. So each first creates the
 * marker `<name>~<key>` (one waiter alone can), then, holding it, checks
 * that `name` still holds the very entry it judged (not merely one with the
 * same inode: a new lock often gets the dead one's inode back) before it
 * unlinks it, and keeps the marker until a new entry is at `name` (its own,
 * or one another waiter made meanwhile). A reaper that died leaves its
 * marker: that marker's owner is dead too, and is taken over the same way,
 * which makes the marker ours. The argument is in docs/recovery.md.
 */
function takeOver(name: string, dead: Holder, mine: string): boolean {
  const marker = `${name}~${dead.key}`;
  const reaper = formatOwner(newOwner());
  if (!create(marker, reaper)) {
    const other = readHolder(marker);
    if (!other?.dead || !takeOver(marker, other, reaper)) return false; // a live reaper is at work, or it just left
  }
  try {
    if (dead.isStill()) unlinkQuietly(name);
    return create(name, mine);
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
  const target = readTarget(file);
  return target === GONE ? undefined : target;
}

const GONE = Symbol('gone');

/** The target of the link at `file`; undefined if the entry there is not a link, GONE if there is none. */
function readTarget(file: string): string | undefined | typeof GONE {
  try {
    return readlinkSync(file);
  } catch (err) {
    const code = errnoOf(err);
    if (code === 'ENOENT') return GONE;
    if (code === 'EINVAL') return undefined;
    throw osError('readlink', file, err);
  }
}

function lstatOf(file: string): Stats | undefined {
  try {
    return lstatSync(file);
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') return undefined;
    throw osError('lstat', file, err);
  }
}

function unlinkQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch (err) {
    if (!isMissing(err)) throw osError('unlink', file, err);
  }
}
