import { access, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { StoreError } from '../errors.ts';
import { bootId } from '../journal/boot-id.ts';
import type { EventInput, JournalEvent } from '../journal/record.ts';
import { JournalWriter } from '../journal/writer.ts';
import type { Roots } from '../layout/roots.ts';
import type { Logger } from '../log.ts';
import { project, reconcile } from '../projector/project.ts';
import { TreeModel } from '../projector/tree-model.ts';
import { lockSandbox, type WriterLock } from './writer-lock.ts';

export const journalFile = (roots: Roots, sandboxID: string) => path.join(roots.journal, sandboxID, 'journal.log');

/**
 * One sandbox as its writer sees it: the journal, the tree the journal
 * describes, and a queue so that this process runs one operation at a time
 * on it; the writer lock does the same across processes. Operations on
 * different sandboxes run side by side.
 */
export class Sandbox {
  private queue: Promise<unknown> = Promise.resolve();
  private journal?: JournalWriter;
  private model = new TreeModel();
  private last?: JournalEvent;
  /** A projection failed after its event was made durable: the tree must be rebuilt first. */
  private stale = false;

  constructor(
    private readonly roots: Roots,
    readonly id: string,
    private readonly log: Logger,
  ) {}

  get seq(): number {
    return this.journal?.seq ?? 0;
  }

  /**
   * Runs `fn` holding this sandbox: after every event another writer appended
   * has been read, and the legacy tree agrees with the journal.
   */
  locked<T>(fn: (lock: WriterLock) => Promise<T>): Promise<T> {
    const run = this.queue.then(async () => {
      await ensureJournalRoot(this.roots.journal);
      const lock = await lockSandbox(this.roots.journal, this.id, this.log);
      try {
        await this.sync();
        return await fn(lock);
      } finally {
        await lock.release();
      }
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Appends the event, durably, then carries it out on the legacy tree. Call it inside `locked`. */
  async commit(lock: WriterLock, input: EventInput, expectSeq?: number): Promise<JournalEvent> {
    if (!this.journal) await this.open();
    const journal = this.journal!;
    if (expectSeq !== undefined && expectSeq !== journal.seq) {
      throw new StoreError('ECONFLICT', `sandbox ${this.id} is at event ${journal.seq}, not ${expectSeq}`, { seq: journal.seq });
    }
    lock.check();
    const event = await journal.append(input);
    this.applied(event);
    try {
      await project(this.roots, event);
    } catch (err) {
      this.stale = true;
      const why = (err as Error).message;
      throw new StoreError('EPROJECT', `event ${event.seq} is durable but the legacy tree was not updated: ${why}`, {
        seq: event.seq,
        cause: err,
      });
    }
    return event;
  }

  async close(): Promise<void> {
    await this.queue;
    await this.journal?.close();
    this.journal = undefined;
  }

  /** Opens the journal if there is one, or reads what other writers appended since. */
  private async sync(): Promise<void> {
    if (!this.journal) {
      if (await exists(journalFile(this.roots, this.id))) await this.open();
      return;
    }
    let read: number;
    try {
      read = await this.journal.catchUp((event) => this.applied(event));
    } catch (err) {
      if ((err as StoreError).code !== 'ECHAIN') throw err;
      // The file shrank under us (another process cut a torn tail or recovered it): start over.
      this.log.warn({ sandbox: this.id, err }, 'journal changed under this writer: reopening');
      await this.journal.close();
      this.journal = undefined;
      this.model = new TreeModel();
      this.last = undefined;
      return this.open();
    }
    // The writer of those events may have died before projecting the last one.
    if (read > 0 || this.stale) await this.rebuild();
  }

  private applied(event: JournalEvent): void {
    this.model.apply(event);
    this.last = event;
  }

  private async open(): Promise<void> {
    this.journal = await JournalWriter.open(journalFile(this.roots, this.id), {
      log: this.log,
      onEvent: (event) => this.applied(event),
    });
    if (this.last && this.last.boot !== bootId() && [...this.model.dirs].some((d) => d.startsWith('run/'))) {
      await this.recordReboot();
    }
    await this.rebuild();
  }

  /** /run is a tmpfs: after a reboot its state is gone and must stay gone. */
  private async recordReboot(): Promise<void> {
    const previous = this.last!.boot;
    const event = await this.journal!.append({ op: 'reboot', sandbox: this.id });
    this.applied(event);
    this.log.warn({ sandbox: this.id, previous, seq: event.seq }, 'host rebooted since last event: run state cleared');
  }

  private async rebuild(): Promise<void> {
    const repaired = await reconcile(this.roots, this.model, this.last);
    if (repaired.length > 0) this.log.warn({ sandbox: this.id, files: repaired }, 'rebuilt legacy files from the journal');
    this.stale = false;
  }
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

/** The journal folder is private; its parents are made like the legacy tree's (0750). */
export async function ensureJournalRoot(root: string): Promise<void> {
  await mkdir(path.dirname(root), { recursive: true, mode: 0o750 });
  await mkdir(root, { recursive: true, mode: 0o700 });
}
