import { access, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { fsyncDir } from '../journal/fsutil.ts';
import { StoreError } from '../errors.ts';
import { bootId } from '../journal/boot-id.ts';
import type { EventInput, JournalEvent } from '../journal/record.ts';
import { truncateAtCorruption, type CorruptionRepair } from '../journal/repair.ts';
import { JournalWriter } from '../journal/writer.ts';
import { inspectJournal } from '../recovery/inspect.ts';
import { removeTempFiles } from '../recovery/temp-files.ts';
import { journalFile, type Roots } from '../layout/roots.ts';
import type { Logger } from '../log.ts';
import { compareTree, type Drift } from '../projector/compare.ts';
import { diskPath, project, reconcile, reconcilePaths } from '../projector/project.ts';
import { changesOf, TreeModel } from '../projector/tree-model.ts';
import {
  CHECKPOINT_EVERY,
  checkpointFile,
  provesCheckpoint,
  readCheckpoint,
  removeCheckpointTemps,
  writeCheckpoint,
} from './checkpoint.ts';
import { driftEvents, type Before, type DriftPolicy, type Held } from './drift.ts';
import { GroupCommit, lastPerTarget, type NextGroup, type PendingWrite } from './group-commit.ts';
import { lockSandbox, type WriterLock } from './writer-lock.ts';

export interface Recovery {
  /** an unfinished append that reopening cut off */
  torn?: { offset: number; bytes: number };
  /** the damaged end that was cut, and where the whole file was copied */
  cut?: CorruptionRepair;
  /** legacy files rewritten from the journal */
  rebuilt: string[];
  /** temp files of interrupted writes, removed */
  temps: string[];
  /** what still differs from the journal: files it does not know are left for the operator */
  leftovers: Drift[];
  /** the checkpoint knew of events the journal no longer holds: history was lost */
  lost?: { checkpointSeq: number; journalSeq: number };
  seq: number;
}

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
  /** The sequence number of the last checkpoint event written or read. */
  private checkpointed = 0;
  /** Set by open when the checkpoint file knew of events the journal no longer holds. */
  private lost: Recovery['lost'];
  /** Set by open when the checkpoint file did not match the journal. */
  private staleCheckpoint = false;
  /**
   * What each path held before the last event read or appended but not yet
   * known to be carried out: tells a pending projection from an outside
   * write. Emptied once the tree is brought in line.
   */
  private before: Before = new Map();
  /** What restore observations found at paths the journal does not hold: left for the operator, recorded once. */
  private leftInPlace: Before = new Map();
  /** time, pid and boot of the last create, store or delete: the group whose priors `before` holds */
  private lastGroup = '';

  constructor(
    private readonly roots: Roots,
    readonly id: string,
    private readonly log: Logger,
    private readonly policy: DriftPolicy = 'restore',
  ) {}

  get seq(): number {
    return this.journal?.seq ?? 0;
  }

  /**
   * Runs `fn` holding this sandbox: after every event another writer appended
   * has been read, and the legacy tree agrees with the journal.
   */
  locked<T>(fn: (lock: WriterLock) => Promise<T>, sync = true): Promise<T> {
    const run = this.queue.then(async () => {
      const lock = await lockSandbox(this.roots.journal, this.id, this.log);
      try {
        if (sync) await this.sync();
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

  private readonly group = new GroupCommit((next) =>
    this.locked(async (lock) => {
      // The lock is kept while writes keep coming (a writer that awaits each call
      // has queued its next one by the time the event loop turns once), but not
      // past MAX_HOLD_MS, so that writers in other processes get their turn.
      const until = Date.now() + MAX_HOLD_MS;
      for (let batch = next(); batch; batch = next() ?? (await afterOneTurn(next))) {
        await this.commitGroup(lock, batch);
        if (Date.now() >= until) return true;
      }
      return false;
    }),
  );

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
      else
        p.write.reject(
          new StoreError('ECONFLICT', `sandbox ${this.id} is at event ${at}, not ${p.write.expectSeq}`, { seq: at }),
        );
    }
    if (accepted.length === 0 && observed.length === 0) return;
    let events: JournalEvent[];
    try {
      if (!this.journal) await this.open();
      lock.check();
      events = await this.journal!.appendBatch([...observed, ...accepted.map((a) => a.input)]);
    } catch (err) {
      for (const { write } of accepted) write.reject(err);
      return;
    }
    for (const event of events) this.applied(event);
    if (observed.length > 0) {
      const seen = events.slice(0, observed.length);
      this.observed(seen);
      if (this.policy === 'restore')
        await reconcilePaths(
          this.roots,
          this.model,
          held(
            this.model,
            seen.map((e) => e.path ?? ''),
          ),
        );
    }
    await this.projectGroup(
      events.slice(observed.length),
      accepted.map((a) => a.write),
    );
    if (!this.stale) this.before.clear(); // all carried out: from now on a difference is an outside write
    if (this.seq - this.checkpointed >= CHECKPOINT_EVERY) await this.checkpoint(lock);
  }

  /**
   * Carries out a committed group in order. When several stores in it wrote
   * the same file, only the last one's bytes are written: the earlier ones
   * were superseded before their callers returned, and each is durable in the
   * journal. One rename per file per group is what lets concurrent writers
   * on one sandbox go faster than one.
   */
  private async projectGroup(events: JournalEvent[], writes: PendingWrite[]): Promise<void> {
    const target = (event: JournalEvent, i: number) => (event.op === 'store' ? changesOf(event)[0].path : `#${i}`);
    for (const { carry, settles } of lastPerTarget(events.map(target))) {
      const failure = await this.project(events[carry]).then(
        () => undefined,
        (err: unknown) => err,
      );
      for (const i of settles) {
        if (failure === undefined) writes[i].resolve(events[i]);
        else writes[i].reject(failure);
      }
    }
  }

  private async project(event: JournalEvent): Promise<JournalEvent> {
    try {
      await project(this.roots, event);
      return event;
    } catch (err) {
      this.stale = true;
      const why = (err as Error).message;
      const paths = changesOf(event)
        .map((c) => c.path)
        .join(', ');
      throw new StoreError(
        'EPROJECT',
        `event ${event.seq} is durable but the legacy tree (${paths}) was not updated: ${why}`,
        {
          seq: event.seq,
          cause: err,
        },
      );
    }
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
      this.checkpointed = event.seq;
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
   * For `vcstore recover`: reopens the journal (which cuts a torn tail), or
   * with `truncateAtCorruption` first keeps the good prefix of a damaged one
   * (the whole file copied to `.broken`), then rebuilds the legacy tree and
   * removes temp files a crash left behind.
   */
  recover(options: { truncateAtCorruption?: boolean } = {}): Promise<Recovery> {
    return this.locked(async () => {
      const file = journalFile(this.roots, this.id);
      const health = await inspectJournal(file);
      let cut: CorruptionRepair | undefined;
      if (health.damage) {
        if (!options.truncateAtCorruption)
          throw new StoreError(health.damage.code as 'ECORRUPT', health.damage.message, {
            file,
            offset: health.damage.offset,
          });
        cut = await truncateAtCorruption(file, { log: this.log });
      }
      await this.forget();
      const opened = (await exists(file)) ? await this.open() : { rebuilt: [], temps: [] };
      const rebuilt = opened.rebuilt;
      const temps = [
        ...opened.temps,
        ...(await removeTempFiles(this.roots, this.id)),
        ...(await removeCheckpointTemps(file)),
      ].sort();
      // Reported (as lost history, if it was ahead); kept, it would be reported for ever.
      if (this.staleCheckpoint) await rm(checkpointFile(file), { force: true });
      const leftovers = await compareTree(this.roots, this.model, this.id);
      const recovery: Recovery = { torn: health.torn, cut, rebuilt, temps, leftovers, seq: this.seq };
      return this.lost ? { ...recovery, lost: this.lost } : recovery;
    }, false);
  }

  /**
   * Writes the events of an imported sandbox, only if its journal holds none
   * yet: into a journal of their own beside it, synced, then renamed over it,
   * so a crash leaves all of them or none.
   */
  adopt(events: EventInput[]): Promise<{ seq: number; drift: Drift[] }> {
    return this.locked(async (lock) => {
      if (this.seq > 0)
        throw new StoreError('EEXIST', `sandbox ${this.id} already has a journal with ${this.seq} events`);
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
    const scopes = inputs.flatMap((input) =>
      changesOf({ ...input, v: 1, seq: 0, time: '', pid: 0, boot: '', prev: '' }).map((c) => c.path),
    );
    return driftEvents(
      this.roots,
      this.model,
      { before: this.before, leftInPlace: this.leftInPlace },
      this.id,
      scopes,
      this.policy,
    );
  }

  /** Appends the observations of what differs at and below `scopes`, then applies the policy there. */
  private async settleDrift(scopes: Iterable<string>): Promise<JournalEvent[]> {
    const inputs = await driftEvents(
      this.roots,
      this.model,
      { before: this.before, leftInPlace: this.leftInPlace },
      this.id,
      [...scopes],
      this.policy,
    );
    if (inputs.length === 0 || !this.journal) return [];
    const events = await this.journal.appendBatch(inputs);
    for (const event of events) this.applied(event);
    this.observed(events);
    return events;
  }

  /**
   * Said out loud. The policy is then the caller's reconcile: under restore
   * it writes the journal's state back; under adopt the model already holds
   * what was found, so there is nothing to write.
   */
  private observed(events: JournalEvent[]): void {
    const paths = events.map((e) => e.path);
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
      if (await exists(journalFile(this.roots, this.id))) await this.open();
      return;
    }
    const touched = new Set<string>();
    try {
      await this.journal.catchUp((event) => {
        this.applied(event);
        for (const change of changesOf(event)) touched.add(change.path);
      });
    } catch (err) {
      if ((err as StoreError).code !== 'ECHAIN') throw err;
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
      this.before.clear();
    }
  }

  /** Drops what this writer knew of the journal, to read it again from the start. */
  private async forget(): Promise<void> {
    await this.journal?.close();
    this.journal = undefined;
    this.model = new TreeModel();
    this.last = undefined;
    this.checkpointed = 0;
    this.before = new Map();
    this.leftInPlace = new Map();
    this.lastGroup = '';
  }

  private applied(event: JournalEvent): void {
    // Only the last group of stores, creates and deletes can be unprojected (the next is appended after it is
    // carried out); a group shares one time. A reboot, checkpoint or observation leaves it pending.
    if (event.op === 'create' || event.op === 'store' || event.op === 'delete') {
      const group = `${event.time} ${event.pid} ${event.boot}`;
      if (group !== this.lastGroup) this.before.clear();
      this.lastGroup = group;
    }
    for (const change of changesOf(event)) this.before.set(change.path, this.model.at(change.path) ?? null);
    if (event.op === 'observe' && event.policy === 'restore' && event.path !== undefined)
      this.leftInPlace.set(event.path, heldBy(event));
    this.model.apply(event);
    this.last = event;
    if (event.op === 'checkpoint') this.checkpointed = event.seq;
  }

  /** Reads the journal (from a proven checkpoint), records a reboot, removes temp files, rebuilds the tree; says what it changed. */
  private async open(): Promise<{ rebuilt: string[]; temps: string[] }> {
    const file = journalFile(this.roots, this.id);
    const checkpoint = await readCheckpoint(checkpointFile(file), this.log);
    const saved = checkpoint && TreeModel.from(checkpoint.model);
    if (saved) this.model = saved; // right if the journal proves it; else reading starts over at event 1
    this.journal = await JournalWriter.open(file, {
      log: this.log,
      resume: checkpoint && saved && { ...checkpoint, accepts: (event) => provesCheckpoint(event, saved) },
      onEvent: (event) => {
        if (event.seq === 1) this.model = new TreeModel();
        this.applied(event);
      },
    });
    this.lost = undefined;
    this.staleCheckpoint = checkpoint !== undefined && !this.journal.resumed;
    if (this.journal.resumed && checkpoint) {
      this.checkpointed = checkpoint.seq;
      this.last ??= this.journal.resumedAt;
    } else {
      if (this.seq === 0) this.model = new TreeModel(); // an empty journal: nothing of the checkpoint holds
      if (checkpoint) this.checkpointIgnored(file, checkpoint.seq);
    }
    if (this.last && this.last.boot !== bootId() && [...this.model.dirs].some((d) => d.startsWith('run/'))) {
      await this.recordReboot();
    }
    // Projections happen under the lock, which this writer holds: any temp file of one is a crash's leftover.
    const temps = await removeTempFiles(this.roots, this.id);
    if (temps.length > 0) this.log.warn({ sandbox: this.id, temps }, 'removed temp files an interrupted write left');
    return { rebuilt: await this.rebuild(), temps };
  }

  private checkpointIgnored(file: string, seq: number): void {
    this.log.warn({ file, seq }, 'checkpoint does not match the journal: ignored');
    if (seq <= this.seq) return;
    this.lost = { checkpointSeq: seq, journalSeq: this.seq };
    this.log.error({ file, ...this.lost }, 'journal holds fewer events than its checkpoint: history was lost');
  }

  /** /run is a tmpfs: after a reboot its state is gone and must stay gone. */
  private async recordReboot(): Promise<void> {
    const previous = this.last!.boot;
    const event = await this.journal!.append({ op: 'reboot', sandbox: this.id });
    this.applied(event);
    this.log.warn({ sandbox: this.id, previous, seq: event.seq }, 'host rebooted since last event: run state cleared');
  }

  private async rebuild(): Promise<string[]> {
    // Whatever differs and is not a pending projection is recorded before anything is rewritten.
    // A sandbox with nothing on disk under restore is a tree rebuilt from its journal: nothing is overwritten.
    const scopes = [`config/${this.id}`, `run/${this.id}`];
    const rebuiltWhole = this.policy === 'restore' && !(await anyExists(scopes.map((p) => diskPath(this.roots, p))));
    if (this.journal && this.seq > 0 && !rebuiltWhole) await this.settleDrift(scopes);
    // Under adopt the tree is the state: only what vcstore itself has still to carry out is written, since a
    // whole-tree rewrite would race a live runtime's next write and overwrite it.
    const pending = [...this.before.keys()];
    let repaired: string[] = [];
    if (this.policy === 'adopt') await reconcilePaths(this.roots, this.model, pending);
    else repaired = await reconcile(this.roots, this.model);
    if (repaired.length > 0)
      this.log.warn({ sandbox: this.id, files: repaired }, 'rebuilt legacy files from the journal');
    this.stale = false;
    this.before.clear();
    return repaired;
  }
}

/** The paths among these that the journal's state holds: a restore rewrites those and leaves the rest in place. */
function held(model: TreeModel, paths: string[]): string[] {
  return paths.filter((p) => model.at(p) !== undefined || model.removed.has(p));
}

/** What an observation found, as the drift check compares it. */
function heldBy(event: JournalEvent): Held {
  if (event.found === 'dir') return 'dir';
  if (event.found === 'absent') return null;
  return event.bytes !== undefined ? Buffer.from(event.bytes, 'base64') : Buffer.from(event.payload ?? '', 'utf8');
}

/** How long a busy writer keeps a sandbox's lock before it lets others in. */
const MAX_HOLD_MS = 200;

async function afterOneTurn(next: NextGroup): Promise<PendingWrite[] | undefined> {
  await new Promise((resolve) => setImmediate(resolve));
  return next();
}

async function anyExists(files: string[]): Promise<boolean> {
  for (const file of files) if (await exists(file)) return true;
  return false;
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}
