import { isStoreError } from '../../errors.ts';
import type { Looks } from '../../fs/looks.ts';
import { fileExists } from '../../fs/missing.ts';
import { bootId } from '../../journal/boot-id.ts';
import type { DriftPolicy, EventInput, JournalEvent } from '../../journal/record.ts';
import type { JournalWriter, SyncHow } from './journal-writer.ts';
import { journalFile, type Roots } from '../../layout/roots.ts';
import { diskPath } from '../../layout/tree-path.ts';
import type { Logger } from '../../log.ts';
import { reconcile, reconcilePaths } from '../../projector/project.ts';
import { changesOf, TreeModel } from '../../projector/tree-model.ts';
import { checkpointFile, writeCheckpoint } from '../../recovery/checkpoint.ts';
import { removeTempFiles } from '../../recovery/temp-files.ts';
import type { WriterLock } from '../writer-lock.ts';
import { DriftLedger } from './drift-ledger.ts';
import { openJournal, type LostHistory } from './open-journal.ts';

/** What opening a journal changed on disk. */
export interface Opened {
  /** legacy files rewritten from the journal */
  rebuilt: string[];
  /** temp files of interrupted writes, removed */
  temps: string[];
}

/**
 * The journal as one writer holds it: the open file, the tree it describes,
 * and what that writer must remember to tell its own pending work from an
 * outside write. Only its session calls it, holding the sandbox's lock.
 */
export class Replica {
  journal: JournalWriter | undefined;
  model = new TreeModel();
  /** A projection failed after its event was made durable: the tree must be rebuilt first. */
  stale = false;
  /** The sequence number of the last checkpoint event written or read. */
  checkpointed = 0;
  private drift = new DriftLedger();
  /** Set by open when the checkpoint file did not match the journal; `lost` when it was ahead of it. */
  mismatch: { lost?: LostHistory } | undefined;
  /** The lock held when the journal was last read to its end. */
  private readUnder: WriterLock | undefined;

  constructor(
    private readonly roots: Roots,
    readonly id: string,
    private readonly log: Logger,
    readonly policy: DriftPolicy,
  ) {}

  get seq(): number {
    return this.journal?.seq ?? 0;
  }

  get file(): string {
    return journalFile(this.roots, this.id);
  }

  /**
   * Opens the journal if there is one, or reads what other writers appended
   * since. Under the `lock` it last read under, there is nothing to read:
   * nobody else appends while it is held, and the check before every append
   * refuses to go on once it is not.
   */
  async sync(lock?: WriterLock): Promise<void> {
    if (!this.journal) {
      if (await fileExists(this.file)) await this.open();
      return;
    }
    if (lock !== undefined && lock === this.readUnder && !this.stale) return;
    const touched = new Set<string>();
    try {
      await this.journal.catchUp((event) => {
        this.applied(event);
        for (const change of changesOf(event)) touched.add(change.path);
      }, lock);
      this.readUnder = lock;
    } catch (err) {
      if (!isStoreError(err, 'ESTALE') && !isStoreError(err, 'ECHAIN')) throw err;
      // Pruned or replaced (ESTALE), or shrunk by another process's recovery (ECHAIN): read what is there now.
      this.log.warn({ sandbox: this.id, err }, 'journal changed under this writer: reopening');
      await this.forget();
      if (await fileExists(this.file)) await this.open();
      return;
    }
    if (this.stale) await this.rebuild();
    else if (touched.size > 0) {
      // The writer of those events may have died before projecting its last ones (pending, not drift): check what they touched.
      await this.settleDrift(touched);
      await reconcilePaths(this.roots, this.model, touched);
      this.drift.settled();
    }
  }

  /** Appends events with one sync, after checking the lock is still ours, and applies them. */
  async append(lock: WriterLock, inputs: EventInput[], how: SyncHow = {}): Promise<JournalEvent[]> {
    const journal = this.journal ?? (await this.open()).journal;
    lock.check();
    const events = await journal.appendBatch(inputs, new Date(), lock, how);
    for (const event of events) this.applied(event);
    return events;
  }

  /**
   * Appends a checkpoint event, which commits to the digest of the replayed
   * tree, then saves that tree beside the journal so the next open reads only
   * newer events. A failure only costs time: the stores are already settled.
   */
  async checkpoint(lock: WriterLock): Promise<void> {
    const journal = this.journal;
    if (!journal) return;
    try {
      lock.check();
      const event = await journal.append({ op: 'checkpoint', sandbox: this.id, digest: this.model.digest() });
      this.applied(event);
      await writeCheckpoint(checkpointFile(journal.file), {
        mark: journal.lastRecord,
        seq: journal.seq,
        head: journal.head,
        model: this.model,
      });
    } catch (err) {
      this.log.warn({ sandbox: this.id, err }, 'could not write checkpoint');
    }
  }

  /** The observations for what a group of events is about to change, not yet appended; `looks`: the group's. */
  async driftUnder(inputs: EventInput[], looks?: Looks): Promise<EventInput[]> {
    if (!this.journal || this.seq === 0 || inputs.length === 0) return [];
    const scopes = inputs.flatMap((input) => changesOf(input).map((c) => c.path));
    return this.drift.find(this.roots, this.model, { sandbox: this.id, scopes, policy: this.policy, looks });
  }

  /** What a group's projection wrote: a later look that finds it unchanged needs no read (drift-ledger.ts). */
  wrote(looks: Looks): void {
    this.drift.wrote(looks);
  }

  /** Appends the observations of what differs at and below `scopes`; the caller applies the policy there. */
  async settleDrift(scopes: Iterable<string>): Promise<JournalEvent[]> {
    const inputs = await this.drift.find(this.roots, this.model, { sandbox: this.id, scopes, policy: this.policy });
    if (inputs.length === 0 || !this.journal) return [];
    const events = await this.journal.appendBatch(inputs);
    for (const event of events) this.applied(event);
    this.observed(events);
    return events;
  }

  /** Observations appended ahead of a group: under restore the journal's state is written back there. */
  async afterObservations(events: JournalEvent[]): Promise<void> {
    this.observed(events);
    if (this.policy !== 'restore') return;
    const paths = events.flatMap((e) => (e.op === 'observe' ? [e.path] : []));
    await reconcilePaths(this.roots, this.model, held(this.model, paths));
  }

  /** Under restore, writes the journal's state back at these paths (those it holds). */
  async restorePaths(paths: string[]): Promise<void> {
    if (this.policy === 'restore') await reconcilePaths(this.roots, this.model, held(this.model, paths));
  }

  /** Every event is carried out: from now on a difference is an outside write. */
  settled(): void {
    this.drift.settled();
  }

  /** Drops what this writer knew of the journal, to read it again from the start. */
  async forget(): Promise<void> {
    await this.journal?.close();
    this.journal = undefined;
    this.readUnder = undefined;
    this.model = new TreeModel();
    this.checkpointed = 0;
    this.drift = new DriftLedger();
    this.mismatch = undefined;
  }

  /** Reads the journal (from a proven checkpoint), records a reboot, removes temp files, rebuilds the tree; says what it changed. */
  async open(): Promise<Opened & { journal: JournalWriter }> {
    const read = await openJournal(this.file, this.log, (event, before) => this.drift.note(event, before));
    const { journal, last } = read;
    this.journal = journal;
    this.model = read.model;
    this.checkpointed = read.checkpointed;
    this.mismatch = read.mismatch;
    if (last && last.boot !== bootId() && [...this.model.dirs].some((d) => d.startsWith('run/')))
      await this.recordReboot(journal, last.boot);
    // Projections happen under the lock, which this writer holds: any temp file of one is a crash's leftover.
    const temps = await removeTempFiles(this.roots, this.id);
    if (temps.length > 0) this.log.warn({ sandbox: this.id, temps }, 'removed temp files an interrupted write left');
    const rebuilt = await this.rebuild();
    journal.startPrefixCheck(); // the records before a checkpoint are checked from now on, beside the writer
    return { journal, rebuilt, temps };
  }

  /** Brings the whole tree in line with the journal, after recording what differs; says what it rewrote. */
  async rebuild(): Promise<string[]> {
    // Whatever differs and is not a pending projection is recorded before anything is rewritten.
    // A sandbox with nothing on disk under restore is a tree rebuilt from its journal: nothing is overwritten.
    const scopes = [`config/${this.id}`, `run/${this.id}`];
    const rebuiltWhole = this.policy === 'restore' && !(await anyExists(scopes.map((p) => diskPath(this.roots, p))));
    if (this.journal && this.seq > 0 && !rebuiltWhole) await this.settleDrift(scopes);
    // Under adopt the tree is the state: only what vcstore itself has still to carry out is written, since a
    // whole-tree rewrite would race a live runtime's next write and overwrite it.
    let repaired: string[] = [];
    if (this.policy === 'adopt') await reconcilePaths(this.roots, this.model, this.drift.pending());
    else repaired = await reconcile(this.roots, this.model);
    if (repaired.length > 0)
      this.log.warn({ sandbox: this.id, files: repaired }, 'rebuilt legacy files from the journal');
    this.stale = false;
    this.drift.settled();
    return repaired;
  }

  private applied(event: JournalEvent): void {
    this.drift.note(event, this.model);
    this.model.apply(event);
    if (event.op === 'checkpoint') this.checkpointed = event.seq;
  }

  /** /run is a tmpfs: after a reboot its state is gone and must stay gone. */
  private async recordReboot(journal: JournalWriter, previous: string): Promise<void> {
    const event = await journal.append({ op: 'reboot', sandbox: this.id });
    this.applied(event);
    this.log.warn({ sandbox: this.id, previous, seq: event.seq }, 'host rebooted since last event: run state cleared');
  }

  /**
   * Said out loud. The policy is then the caller's reconcile: under restore
   * it writes the journal's state back; under adopt the model already holds
   * what was found, so there is nothing to write.
   */
  private observed(events: JournalEvent[]): void {
    const paths = events.flatMap((e) => (e.op === 'observe' ? [e.path] : []));
    this.log.warn(
      { sandbox: this.id, paths, policy: this.policy, seq: events[0]?.seq },
      'legacy tree changed outside vcstore: observed',
    );
  }
}

/** The paths among these that the journal's state holds: a restore rewrites those and leaves the rest in place. */
function held(model: TreeModel, paths: string[]): string[] {
  return paths.filter((p) => model.at(p) !== undefined || model.removed.has(p));
}

async function anyExists(files: string[]): Promise<boolean> {
  for (const file of files) if (await fileExists(file)) return true;
  return false;
}
