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

export const journalFile = (roots: Roots, sandboxID: string) => path.join(roots.journal, sandboxID, 'journal.log');

/**
 * One sandbox as its writer sees it: the journal, the tree the journal
 * describes, and a queue so that this process runs one operation at a time
 * on it. Operations on different sandboxes run side by side.
 */
export class Sandbox {
  private queue: Promise<unknown> = Promise.resolve();
  private journal?: JournalWriter;
  private readonly model = new TreeModel();
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

  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Opens the journal if the sandbox has one, and brings the tree in line with it. */
  async openExisting(): Promise<void> {
    if (this.journal) return;
    const file = journalFile(this.roots, this.id);
    if (!(await exists(file))) return;
    await this.open(file);
  }

  /** Appends the event, durably, then carries it out on the legacy tree. */
  async commit(input: EventInput, expectSeq?: number): Promise<JournalEvent> {
    if (!this.journal) await this.open(journalFile(this.roots, this.id));
    const journal = this.journal!;
    if (expectSeq !== undefined && expectSeq !== journal.seq) {
      throw new StoreError('ECONFLICT', `sandbox ${this.id} is at event ${journal.seq}, not ${expectSeq}`, { seq: journal.seq });
    }
    if (this.stale) await this.rebuild();
    const event = await journal.append(input);
    this.model.apply(event);
    this.last = event;
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
    await this.journal?.close();
    this.journal = undefined;
  }

  private async open(file: string): Promise<void> {
    await ensureJournalRoot(this.roots.journal);
    this.journal = await JournalWriter.open(file, {
      log: this.log,
      onEvent: (event) => {
        this.model.apply(event);
        this.last = event;
      },
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
    this.model.apply(event);
    this.last = event;
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
async function ensureJournalRoot(root: string): Promise<void> {
  await mkdir(path.dirname(root), { recursive: true, mode: 0o750 });
  await mkdir(root, { recursive: true, mode: 0o700 });
}
