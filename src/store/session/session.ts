import type { DriftPolicy, EventInput, JournalEvent } from '../../journal/record.ts';
import type { Roots } from '../../layout/roots.ts';
import type { Logger } from '../../log.ts';
import type { Drift } from '../../projector/compare.ts';
import type { TreeModel } from '../../projector/tree-model.ts';
import { lockSandbox, type WriterLock } from '../writer-lock.ts';
import { adoptEvents } from './adopt.ts';
import { CommitLoad, commitWhileBusy } from './commit.ts';
import { GroupCommit, type PendingWrite } from './group-commit.ts';
import { recoverJournal, type Recovery } from './recover.ts';
import { Replica } from './replica.ts';
import { restoreJournal, type RestoredJournal } from './restore.ts';
import { retireJournal, type RetireCheck } from './retire.ts';

/**
 * The one writer of a sandbox, and the only door to its journal: the Store's
 * writes, an import (adopt), the watcher's observations, a restore from the
 * stream, a recovery and a prune (retire) all go through it. It holds the
 * sandbox's lock around every operation, and only it opens the journal for
 * appending (src/store/session/journal-writer.ts is internal to this folder: a lint rule
 * keeps it so). A queue runs one operation at a time in this process; the
 * writer lock does the same across processes.
 */
export class WriterSession {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly replica: Replica;
  /** Operations other than the group's writes waiting for the sandbox, and whether the session is closing: a holder then does not linger. */
  private others = 0;
  private closing = false;
  private readonly group: GroupCommit;

  constructor(
    private readonly roots: Roots,
    readonly id: string,
    private readonly log: Logger,
    policy: DriftPolicy = 'restore',
    private readonly load: CommitLoad = new CommitLoad(),
    lingerMs = 0,
  ) {
    this.replica = new Replica(roots, id, log, policy);
    this.group = new GroupCommit(
      (queue) => this.hold((lock) => commitWhileBusy(this.roots, this.replica, this.load, lock, queue)),
      lingerMs,
      () => this.others === 0 && !this.closing,
    );
  }

  get seq(): number {
    return this.replica.seq;
  }

  /** The tree the journal describes, as this writer last read it. */
  get state(): TreeModel {
    return this.replica.model;
  }

  /** The last sequence number, once every event another writer appended has been read. */
  current(): Promise<number> {
    return this.locked(async () => this.replica.seq);
  }

  /**
   * Queues a write; it is appended (with the others waiting then, when it is
   * a store) and carried out on the legacy tree, and resolves once durable.
   */
  write(write: Omit<PendingWrite, 'resolve' | 'reject'>): Promise<JournalEvent> {
    return this.group.submit(write);
  }

  /**
   * For the watcher: records, as `observe` events, what the legacy tree holds
   * at and below these tree paths where it differs from the journal, then
   * applies the drift policy. A sandbox without events records nothing.
   */
  observe(paths: string[]): Promise<JournalEvent[]> {
    return this.locked(async (lock) => {
      if (!this.replica.journal || this.replica.seq === 0) return [];
      lock.check();
      const events = await this.replica.settleDrift(paths);
      await this.replica.restorePaths(paths);
      return events;
    });
  }

  /** Adopts the events of an imported sandbox that has none yet, in one append (adopt.ts). */
  adopt(events: EventInput[]): Promise<{ seq: number; drift: Drift[] }> {
    return this.locked((lock) => adoptEvents(this.roots, this.replica, lock, this.log, events));
  }

  /** Cuts a torn tail (or with `truncateAtCorruption` a damaged end) and rebuilds the tree (recover.ts). */
  recover(options: { truncateAtCorruption?: boolean } = {}): Promise<Recovery> {
    return this.locked(() => recoverJournal(this.roots, this.replica, { ...options, log: this.log }), {
      catchUp: false,
    });
  }

  /** Writes the journal of a sandbox that has none from a stream's record bodies, and its tree (restore.ts). */
  restore(bodies: AsyncIterable<Uint8Array>): Promise<RestoredJournal> {
    return this.locked((lock) => restoreJournal(this.roots, this.replica, lock, bodies), { catchUp: false });
  }

  /** Removes the sandbox's journal folder unless `keep` says why not (retire.ts); says why it was kept. */
  retire(keep: RetireCheck, after?: () => Promise<void>): Promise<string | undefined> {
    return this.locked((lock) => retireJournal(this.replica, lock, keep, after), { catchUp: false });
  }

  async close(): Promise<void> {
    this.closing = true;
    this.group.wake();
    await this.queue;
    await this.replica.forget();
  }

  /**
   * Runs `fn` holding this sandbox: after every event another writer appended
   * has been read, and the legacy tree agrees with the journal (unless
   * `catchUp: false`, for the operations that read or replace the journal
   * themselves).
   */
  private locked<T>(fn: (lock: WriterLock) => Promise<T>, options: { catchUp?: boolean } = {}): Promise<T> {
    this.others++;
    this.group.wake();
    const run = this.hold(fn, options);
    const done = () => void this.others--;
    run.then(done, done);
    return run;
  }

  /** Runs `fn` holding this sandbox, after the operations queued before it (see locked). */
  private hold<T>(fn: (lock: WriterLock) => Promise<T>, options: { catchUp?: boolean } = {}): Promise<T> {
    const run = this.queue.then(async () => {
      const lock = await lockSandbox(this.roots.journal, this.id, this.log);
      try {
        if (options.catchUp !== false) await this.replica.sync(lock);
        return await fn(lock);
      } finally {
        await lock.release();
      }
    });
    this.queue = run.catch(() => undefined);
    return run;
  }
}
