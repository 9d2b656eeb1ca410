import type { Looks } from '../../fs/looks.ts';
import type { EventInput, JournalEvent } from '../../journal/record.ts';

/** A write waiting for its turn: the checks that need the disk run only when its group is formed. */
export interface PendingWrite {
  /**
   * Stores may share a group: none of them changes the folders the others'
   * checks look at. A create or delete does, so it goes alone.
   */
  groupable: boolean;
  /** The write's checks and its event; what they look at on disk is told to the group's `looks`. */
  prepare: (looks: Looks) => Promise<EventInput>;
  expectSeq?: number;
  resolve: (event: JournalEvent) => void;
  reject: (err: unknown) => void;
}

const MAX_GROUP = 256;

/** The writes waiting for a holder of the sandbox. */
export interface WriteQueue {
  /** The next group, or undefined when none is waiting. */
  next(): PendingWrite[] | undefined;
  /**
   * The next group, waiting for it a little when none is there yet (one turn
   * of the event loop, or the linger; never past `until`, a Date.now()
   * value); undefined if none came.
   */
  soon(until: number): Promise<PendingWrite[] | undefined>;
}

/**
 * Group commit: writes that arrive while a group is being made durable wait
 * together, and the next group is appended with one write and one fdatasync.
 * Each caller still returns only once its own event is durable.
 */
export class GroupCommit implements WriteQueue {
  private readonly pending: PendingWrite[] = [];
  private running = false;
  private wakeLinger: (() => void) | undefined;

  /**
   * `run` holds the sandbox and commits groups until the queue has none left,
   * or until it has held the sandbox long enough; it says which (true: it
   * yielded). A holder out of writes lingers `lingerMs` for the next one
   * (StoreOptions.lingerMs), while `mayLinger` says so (nothing else of the
   * session waits for the sandbox).
   */
  constructor(
    private readonly run: (queue: WriteQueue) => Promise<boolean>,
    private readonly lingerMs = 0,
    private readonly mayLinger: () => boolean = () => true,
  ) {}

  submit(write: Omit<PendingWrite, 'resolve' | 'reject'>): Promise<JournalEvent> {
    return new Promise((resolve, reject) => {
      this.pending.push({ ...write, resolve, reject });
      if (!this.running) this.start();
      else this.wake();
    });
  }

  /** Ends a linger at once: a write came, or something else waits for the sandbox. */
  wake(): void {
    this.wakeLinger?.();
  }

  next(): PendingWrite[] | undefined {
    if (this.pending.length === 0) return undefined;
    let n = 1;
    const groupable = (i: number) => this.pending[i]?.groupable === true;
    if (groupable(0)) while (n < MAX_GROUP && groupable(n)) n++;
    return this.pending.splice(0, n);
  }

  async soon(until: number): Promise<PendingWrite[] | undefined> {
    // A writer awaiting each call has queued its next one by the time the event loop turns once.
    await new Promise((resolve) => setImmediate(resolve));
    const ms = Math.min(this.lingerMs, until - Date.now());
    if (this.pending.length === 0 && ms > 0 && this.mayLinger())
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.wakeLinger = undefined;
          resolve();
        };
        const timer = setTimeout(done, ms);
        this.wakeLinger = done;
      });
    return this.next();
  }

  private start(): void {
    this.running = true;
    void this.run(this)
      .catch((err) => {
        // Holding the sandbox failed (its lock, a corrupt journal): nobody waiting can go on.
        for (const write of this.pending.splice(0)) write.reject(err);
        return false;
      })
      .then((yielded) => {
        this.running = false;
        if (this.pending.length === 0) return;
        // After a long turn, a short random pause lets a writer in another process take the lock.
        if (yielded) setTimeout(() => this.running || this.start(), Math.random() * 10);
        else this.start();
      });
  }
}

/**
 * Which writes of a committed group to carry out: for each target (a file,
 * or a key of its own for a write that is not a store), the last write to it,
 * which settles every write to that target. In the order of those last writes.
 */
export function lastPerTarget(targets: string[]): Array<{ carry: number; settles: number[] }> {
  const last = new Map<string, number>();
  targets.forEach((t, i) => last.set(t, i));
  const settles = new Map<number, number[]>();
  targets.forEach((t, i) => {
    const carry = last.get(t) ?? i;
    settles.set(carry, [...(settles.get(carry) ?? []), i]);
  });
  return [...settles].sort((a, b) => a[0] - b[0]).map(([carry, all]) => ({ carry, settles: all }));
}
