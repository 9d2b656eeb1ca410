import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { errConflict, errExists, isStoreError } from '../errors.ts';
import { bootId } from '../journal/boot-id.ts';
import { fileExists } from '../fs/missing.ts';
import { fsyncDir } from '../journal/fsutil.ts';
import type { DriftPolicy, EventInput, JournalEvent } from '../journal/record.ts';
import { JournalWriter } from '../journal/writer.ts';
import { journalFile, type Roots } from '../layout/roots.ts';
import type { Logger } from '../log.ts';
import { compareTree, type Drift } from '../projector/compare.ts';
import { reconcile, reconcilePaths } from '../projector/project.ts';
import { diskPath } from '../layout/tree-path.ts';
import { changesOf, TreeModel } from '../projector/tree-model.ts';
import { removeTempFiles } from '../recovery/temp-files.ts';
import { CHECKPOINT_EVERY, checkpointFile, writeCheckpoint } from './checkpoint.ts';
import { openJournal, type LostHistory } from './open-journal.ts';
import { DriftLedger } from './drift-ledger.ts';
import { GroupCommit, type NextGroup, type PendingWrite } from './group-commit.ts';
import { projectGroup } from './projection.ts';
import { lockSandbox, type WriterLock } from './writer-lock.ts';

/** What opening a journal changed on disk. */
export interface Opened {
  /** legacy files rewritten from the journal */
  rebuilt: string[];
  /** temp files of interrupted writes, removed */
  temps: string[];
}

/** How long a busy writer keeps a sandbox's lock before it lets others in. */
const MAX_HOLD_MS = 200;

/** Sandboxes of this process committing writes: when there are others, a projection leaves them the event loop. */
let committing = 0;

/**
 * The one writer of a sandbox: every mutation (the Store's, import's, the
 * daemon's and the watcher's) goes through it. It opens the journal (from a
 * proven checkpoint), catches up with other processes, appends groups,
 * writes checkpoints and records reboots and outside writes. A queue runs one
 * operation at a time in this process; the writer lock does the same across
 * processes. The projector carries events out (projection.ts); a rebuild
 * brings the whole tree in line (reconcile).
 */
export class Sandbox {
  private queue: Promise<unknown> = Promise.resolve();
  private journal: JournalWriter | undefined;
  private model = new TreeModel();
  private last: JournalEvent | undefined;
  /** A projection failed after its event was made durable: the tree must be rebuilt first. */
  private stale = false;
  /** The sequence number of the last checkpoint event written or read. */
  private checkpointed = 0;
  private drift = new DriftLedger();
  /** Set by open when the checkpoint file did not match the journal; `lost` when it was ahead of it. */
  private checkpointMismatch: { lost?: LostHistory } | undefined;
  private readonly group = new GroupCommit((next) => this.locked((lock) => this.commitWhileBusy(lock, next)));

  constructor(
    private readonly roots: Roots,
    readonly id: string,
    private readonly log: Logger,
    private readonly policy: DriftPolicy = 'restore',
  ) {}

  get seq(): number {
    return this.journal?.seq ?? 0;
  }

  /** The tree the journal describes, as this writer last read it. */
  get state(): TreeModel {
    return this.model;
  }

  /**
   * Runs `fn` holding this sandbox: after every event another writer appended
   * has been read, and the legacy tree agrees with the journal (unless
   * `catchUp: false`, for recovery, which reads the journal itself).
   */
  locked<T>(fn: (lock: WriterLock) => Promise<T>, options: { catchUp?: boolean } = {}): Promise<T> {
    const run = this.queue.then(async () => {
      const lock = await lockSandbox(this.roots.journal, this.id, this.log);
      try {
        if (options.catchUp !== false) await this.sync();
        return await fn(lock);
      } finally {
        await lock.release();
      }
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Queues a write; it is appended (with the others waiting then, when it is
   * a store) and carried out on the legacy tree, and resolves once durable.
   */
  write(write: Omit<PendingWrite, 'resolve' | 'reject'>): Promise<JournalEvent> {
    return this.group.submit(write);
  }

  /**
   * Keeps the lock while writes keep coming (a writer that awaits each call
   * has queued its next one by the time the event loop turns once), but not
   * past MAX_HOLD_MS, so that writers in other processes get their turn.
   * Says whether it stopped for that reason.
   */
  private async commitWhileBusy(lock: WriterLock, next: NextGroup): Promise<boolean> {
    const until = Date.now() + MAX_HOLD_MS;
    committing++;
    try {
      for (let batch = next(); batch; batch = next() ?? (await afterOneTurn(next))) {
        await this.commitGroup(lock, batch);
        if (Date.now() >= until) return true;
      }
      return false;
    } finally {
      committing--;
    }
  }

  /** Checks each write, appends those that pass with one sync, then projects them in order. Never throws. */
  private async commitGroup(lock: WriterLock, group: PendingWrite[]): Promise<void> {
    try {
      // Nobody else appends while the lock is held, unless the lock was lost: then read what they wrote first.
      await this.sync();
    } catch (err) {
      for (const write of group) write.reject(err);
      return;
    }
    const prepared: Array<{ write: PendingWrite; input: EventInput }> = [];
    for (const write of group) {
      try {
        if (this.stale) await this.rebuild();
        prepared.push({ write, input: await write.prepare() });
      } catch (err) {
        write.reject(err);
      }
    }
    let observed: EventInput[];
    try {
      // What the group is about to overwrite is read first: an outside write there is recorded before it goes.
      observed = await this.driftUnder(prepared.map((p) => p.input));
    } catch (err) {
      for (const { write } of prepared) write.reject(err);
      return;
    }
    const accepted: typeof prepared = [];
    for (const p of prepared) {
      const at = this.seq + observed.length + accepted.length;
      if (p.write.expectSeq === undefined || p.write.expectSeq === at) accepted.push(p);
      else p.write.reject(errConflict(`sandbox ${this.id} is at event ${at}, not ${p.write.expectSeq}`, { seq: at }));
    }
    if (accepted.length === 0 && observed.length === 0) return;
    let events: JournalEvent[];
    try {
      events = await this.append(lock, [...observed, ...accepted.map((a) => a.input)]);
    } catch (err) {
      for (const { write } of accepted) write.reject(err);
      return;
    }
    if (observed.length > 0) await this.afterObservations(events.slice(0, observed.length));
    const projected = await projectGroup(
      this.roots,
      events.slice(observed.length),
      accepted.map((a) => a.write),
      { overlap: committing > 1 },
    );
    if (!projected) this.stale = true;
    else this.drift.settled(); // all carried out: from now on a difference is an outside write
    if (this.seq - this.checkpointed >= CHECKPOINT_EVERY) await this.checkpoint(lock);
  }

  /** Appends events with one sync, after checking the lock is still ours, and applies them. */
  private async append(lock: WriterLock, inputs: EventInput[]): Promise<JournalEvent[]> {
    const journal = this.journal ?? (await this.open()).journal;
    lock.check();
    const events = await journal.appendBatch(inputs);
    for (const event of events) this.applied(event);
    return events;
  }

  /**
   * Appends a checkpoint event, which commits to the digest of the replayed
   * tree, then saves that tree beside the journal so the next open reads only
   * newer events. A failure only costs time: the stores are already settled.
   */
  private async checkpoint(lock: WriterLock): Promise<void> {
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

  /**
   * For recovery: drops what this writer knew and opens the journal again
   * from the disk (which cuts a torn tail). Call it inside `locked` without
   * catch-up. Says what it changed, and whether the checkpoint was ahead of
   * the journal (history lost) or did not match it.
   */
  async reopen(): Promise<Opened & { checkpoint?: { lost?: LostHistory } }> {
    await this.forget();
    let opened: Opened = { rebuilt: [], temps: [] };
    if (await fileExists(journalFile(this.roots, this.id))) {
      const { rebuilt, temps } = await this.open();
      opened = { rebuilt, temps };
    }
    return this.checkpointMismatch ? { ...opened, checkpoint: this.checkpointMismatch } : opened;
  }

  /**
   * Writes the events of an imported sandbox, only if its journal holds none
   * yet: into a journal of their own beside it, synced, then renamed over it,
   * so a crash leaves all of them or none.
   */
  adopt(events: EventInput[]): Promise<{ seq: number; drift: Drift[] }> {
    return this.locked(async (lock) => {
      if (this.seq > 0) throw errExists(`sandbox ${this.id} already has a journal with ${this.seq} events`);
      const file = journalFile(this.roots, this.id);
      const aside = `${file}.import`;
      await rm(aside, { force: true });
      const writer = await JournalWriter.open(aside, { log: this.log });
      try {
        await writer.appendBatch(events);
      } finally {
        await writer.close();
      }
      lock.check();
      await this.forget();
      await rename(aside, file);
      await fsyncDir(path.dirname(file));
      await this.open();
      return { seq: this.seq, drift: await compareTree(this.roots, this.model, this.id) };
    });
  }

  /**
   * For the watcher: records, as `observe` events, what the legacy tree holds
   * at and below these tree paths where it differs from the journal, then
   * applies the drift policy. A sandbox without events records nothing.
   */
  observe(paths: string[]): Promise<JournalEvent[]> {
    return this.locked(async (lock) => {
      if (!this.journal || this.seq === 0) return [];
      lock.check();
      const events = await this.settleDrift(paths);
      if (this.policy === 'restore') await reconcilePaths(this.roots, this.model, held(this.model, paths));
      return events;
    });
  }

  /** The observations for what a group of events is about to change, not yet appended. */
  private async driftUnder(inputs: EventInput[]): Promise<EventInput[]> {
    if (!this.journal || this.seq === 0 || inputs.length === 0) return [];
    const scopes = inputs.flatMap((input) => changesOf(input).map((c) => c.path));
    return this.drift.find(this.roots, this.model, { sandbox: this.id, scopes, policy: this.policy });
  }

  /** Appends the observations of what differs at and below `scopes`; the caller applies the policy there. */
  private async settleDrift(scopes: Iterable<string>): Promise<JournalEvent[]> {
    const inputs = await this.drift.find(this.roots, this.model, { sandbox: this.id, scopes, policy: this.policy });
    if (inputs.length === 0 || !this.journal) return [];
    const events = await this.journal.appendBatch(inputs);
    for (const event of events) this.applied(event);
    this.observed(events);
    return events;
  }

  /** Observations appended ahead of a group: under restore the journal's state is written back there. */
  private async afterObservations(events: JournalEvent[]): Promise<void> {
    this.observed(events);
    if (this.policy !== 'restore') return;
    const paths = events.flatMap((e) => (e.op === 'observe' ? [e.path] : []));
    await reconcilePaths(this.roots, this.model, held(this.model, paths));
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

  async close(): Promise<void> {
    await this.queue;
    await this.journal?.close();
    this.journal = undefined;
  }

  /** Opens the journal if there is one, or reads what other writers appended since. */
  private async sync(): Promise<void> {
    if (!this.journal) {
      if (await fileExists(journalFile(this.roots, this.id))) await this.open();
      return;
    }
    const touched = new Set<string>();
    try {
      await this.journal.catchUp((event) => {
        this.applied(event);
        for (const change of changesOf(event)) touched.add(change.path);
      });
    } catch (err) {
      if (isStoreError(err, 'ESTALE')) {
        // Pruned (or replaced) while this writer held it open: what is at the path now is the journal.
        this.log.warn({ sandbox: this.id, err }, 'journal removed under this writer: reopening');
        await this.forget();
        if (await fileExists(journalFile(this.roots, this.id))) await this.open();
        return;
      }
      if (!isStoreError(err, 'ECHAIN')) throw err;
      // The file shrank under us (another process cut a torn tail or recovered it): start over.
      this.log.warn({ sandbox: this.id, err }, 'journal changed under this writer: reopening');
      await this.forget();
      await this.open();
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

  /** Drops what this writer knew of the journal, to read it again from the start. */
  private async forget(): Promise<void> {
    await this.journal?.close();
    this.journal = undefined;
    this.model = new TreeModel();
    this.last = undefined;
    this.checkpointed = 0;
    this.drift = new DriftLedger();
    this.checkpointMismatch = undefined;
  }

  private applied(event: JournalEvent): void {
    this.drift.note(event, this.model);
    this.model.apply(event);
    this.last = event;
    if (event.op === 'checkpoint') this.checkpointed = event.seq;
  }

  /** Reads the journal (from a proven checkpoint), records a reboot, removes temp files, rebuilds the tree; says what it changed. */
  private async open(): Promise<Opened & { journal: JournalWriter }> {
    const read = await openJournal(journalFile(this.roots, this.id), this.log, (event, before) =>
      this.drift.note(event, before),
    );
    const { journal, last } = read;
    this.journal = journal;
    this.model = read.model;
    this.last = last;
    this.checkpointed = read.checkpointed;
    this.checkpointMismatch = read.mismatch;
    if (last && last.boot !== bootId() && [...this.model.dirs].some((d) => d.startsWith('run/')))
      await this.recordReboot(journal, last.boot);
    // Projections happen under the lock, which this writer holds: any temp file of one is a crash's leftover.
    const temps = await removeTempFiles(this.roots, this.id);
    if (temps.length > 0) this.log.warn({ sandbox: this.id, temps }, 'removed temp files an interrupted write left');
    return { journal, rebuilt: await this.rebuild(), temps };
  }

  /** /run is a tmpfs: after a reboot its state is gone and must stay gone. */
  private async recordReboot(journal: JournalWriter, previous: string): Promise<void> {
    const event = await journal.append({ op: 'reboot', sandbox: this.id });
    this.applied(event);
    this.log.warn({ sandbox: this.id, previous, seq: event.seq }, 'host rebooted since last event: run state cleared');
  }

  /** Brings the whole tree in line with the journal, after recording what differs; says what it rewrote. */
  private async rebuild(): Promise<string[]> {
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
}

/** The paths among these that the journal's state holds: a restore rewrites those and leaves the rest in place. */
function held(model: TreeModel, paths: string[]): string[] {
  return paths.filter((p) => model.at(p) !== undefined || model.removed.has(p));
}

async function afterOneTurn(next: NextGroup): Promise<PendingWrite[] | undefined> {
  await new Promise((resolve) => setImmediate(resolve));
  return next();
}

async function anyExists(files: string[]): Promise<boolean> {
  for (const file of files) if (await fileExists(file)) return true;
  return false;
}
