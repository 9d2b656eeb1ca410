import { mkdir, readdir } from 'node:fs/promises';
import { eventsOf } from '../import/legacy.ts';
import { legacySandboxIds, readLegacySandbox } from '../audit/legacy-tree.ts';
import { isStoreError } from '../errors.ts';
import { TEMP_MARK } from '../projector/atomic-write.ts';
import type { JournalEvent } from '../journal/record.ts';
import { isSafeId } from '../layout/ids.ts';
import type { Roots } from '../layout/roots.ts';
import type { Logger } from '../log.ts';
import type { DriftPolicy } from '../store/drift.ts';
import { Store } from '../store/store.ts';
import { DirWatches } from './dir-watches.ts';
import { Settler } from './settle.ts';
import { Slots } from './slots.ts';
import { changedPaths, snapshot, type Snapshot } from './stat-check.ts';
import { errnoOf } from '../fs/missing.ts';

export interface WatchOptions {
  roots: Roots;
  log: Logger;
  /** what becomes of an outside write once recorded (default adopt: the runtime beside vcstore is the writer) */
  drift?: DriftPolicy;
  /** a path is read once no event touched it for this long */
  settleMs?: number;
  /** and at the latest this long after its first event, even if it keeps changing */
  maxWaitMs?: number;
  /** a timer late by more than this means the process was stopped: events may be lost */
  gapMs?: number;
  /** every this long the tree's metadata is compared with the last look, so a write fs.watch missed is read */
  checkMs?: number;
  /** told of every event the watcher appended */
  onEvents?: (events: JournalEvent[]) => void;
}

export const SETTLE_MS = 50;
/** The default period of the metadata check: the bound on how long a write fs.watch missed stays unread. */
export const CHECK_MS = 2000;
/** Paths observed in one call: a stop waits for one such call per sandbox in flight, at most. */
const CHUNK = 256;
/** Sandboxes recorded side by side, one append (one sync) each; each flushes on its own, never waiting for another. */
const PARALLEL = 8;

/**
 * Follows a legacy tree that an unmodified runtime keeps writing: every
 * settled change becomes `observe` events through the Store, a sandbox
 * without a journal is adopted as `import` would, and anything that may
 * have lost events (a failed watch, a stopped process) triggers a rescan of
 * the whole tree, which records only what differs from the journals. Since
 * fs.watch drops inotify's queue overflow without a word, the tree's
 * metadata is also compared every `checkMs`: a write whose event was lost is
 * read at the next comparison.
 */
export class TreeWatcher {
  private readonly store: Store;
  private readonly watches: DirWatches;
  private readonly settler: Settler;
  /** settled paths not yet read, by sandbox */
  private readonly pending = new Map<string, Set<string>>();
  /** the sandboxes whose paths are being recorded now: one call after the other for each, on its own */
  private readonly flushing = new Map<string, Promise<void>>();
  /** calls to the store in flight, across sandboxes */
  private readonly slots = new Slots(PARALLEL);
  /** sandboxes this watcher saw with events: observed without asking the store for their seq first */
  private readonly withEvents = new Set<string>();
  private rescanning: Promise<void> = Promise.resolve();
  private rescanQueued: string | undefined;
  private gapTimer: NodeJS.Timeout | undefined;
  private checkTimer: NodeJS.Timeout | undefined;
  private lastLook: Snapshot = new Map();
  /** the reason of a rescan that a stop cut short or that never ran */
  private rescanCut: string | undefined;
  private closed = false;

  constructor(private readonly opts: WatchOptions) {
    this.store = new Store({ roots: opts.roots, log: opts.log, drift: opts.drift ?? 'adopt' });
    this.settler = new Settler(opts.settleMs ?? SETTLE_MS, opts.maxWaitMs ?? 1000, (p) => this.settled(p));
    this.watches = new DirWatches(opts.roots, {
      changed: (p) => this.settler.touch(p),
      lost: (reason, err) => this.rescanSoon(reason, err),
    });
  }

  private starting: Promise<void> = Promise.resolve();

  /** Watches first, so nothing written during the first scan is missed; resolves once the tree is recorded. */
  start(): Promise<void> {
    this.starting = this.begin();
    return this.starting;
  }

  private async begin(): Promise<void> {
    // The runtime makes its roots when it first runs; watching needs them now.
    for (const root of [this.opts.roots.config, this.opts.roots.run])
      await mkdir(root, { recursive: true, mode: 0o750 });
    await this.watches.addAll();
    // Before the scan: whatever changes after this look shows at the next one.
    this.lastLook = (await snapshot(this.opts.roots, () => this.closed)) ?? new Map<string, string>();
    await this.rescan('start');
    if (this.closed) return;
    this.watchForGaps(this.opts.gapMs ?? 2000);
    this.checkSoon();
  }

  /**
   * Stops at once, whatever is queued: the calls in flight (at most `CHUNK`
   * paths per sandbox) are appended, the rest is logged as a possible gap,
   * which the next start's rescan closes.
   */
  async close(): Promise<void> {
    this.closed = true;
    if (this.gapTimer) clearInterval(this.gapTimer);
    if (this.checkTimer) clearTimeout(this.checkTimer);
    this.watches.close();
    const settling = this.settler.waiting;
    this.settler.close();
    await this.starting.catch(() => undefined); // its own caller hears of a failure
    await this.rescanning;
    await Promise.all(this.flushing.values());
    let queued = 0;
    for (const paths of this.pending.values()) queued += paths.size;
    const unread = settling + queued;
    const rescan = this.rescanCut ?? this.rescanQueued;
    if (unread > 0 || rescan !== undefined)
      this.opts.log.warn({ unread, rescan }, 'stopped before reading every change: a gap was possible');
    await this.store.close();
  }

  /** Every sandbox, on disk or journaled: adopted when it has no events, else what differs is observed. */
  async rescan(reason: string): Promise<void> {
    const started = Date.now();
    await this.watches.addAll();
    const ids = new Set([...(await legacySandboxIds(this.opts.roots)), ...(await journaled(this.opts.roots))]);
    let events = 0;
    for (const id of ids) {
      if (this.closed) {
        this.rescanCut = reason;
        return;
      }
      if (!isSafeId(id)) continue;
      this.pending.delete(id); // read whole below: the paths settled so far with the rest
      events += await this.inSlot(() => this.record(id, [`config/${id}`, `run/${id}`]));
    }
    this.opts.log.info({ reason, sandboxes: ids.size, events, ms: Date.now() - started }, 'rescanned the legacy tree');
  }

  private settled(treePath: string): void {
    if (treePath.includes(TEMP_MARK)) return; // vcstore's own atomic writes: the rename that ends one is seen as such
    const id = treePath.split('/')[1];
    if (id === undefined || !isSafeId(id)) return;
    let paths = this.pending.get(id);
    if (!paths) this.pending.set(id, (paths = new Set()));
    paths.add(treePath);
    if (!this.flushing.has(id)) this.flushing.set(id, this.flush(id));
  }

  /**
   * Records one sandbox's settled paths, a chunk per call, until none is
   * left: what settles during a call goes into the next. Sandboxes flush
   * side by side and on their own, so a slow one (its lock held elsewhere,
   * a slow sync) delays only its own paths. A stop ends it after the call
   * in flight; what is still pending is counted by close.
   */
  private async flush(id: string): Promise<void> {
    try {
      for (;;) {
        const more = await this.inSlot(async () => {
          const paths = this.pending.get(id);
          if (this.closed || !paths || paths.size === 0) return false;
          const sorted = [...paths].sort();
          const chunk = sorted.length > CHUNK ? sorted.slice(0, CHUNK) : sorted;
          if (chunk.length === sorted.length) this.pending.delete(id);
          else for (const p of chunk) paths.delete(p);
          await this.record(id, chunk);
          return true;
        });
        if (!more) return;
      }
    } finally {
      // A path settling from now on starts a new flush; one that settled since the last look is not left behind.
      this.flushing.delete(id);
      if (!this.closed && (this.pending.get(id)?.size ?? 0) > 0) this.flushing.set(id, this.flush(id));
    }
  }

  /** Runs `fn` once fewer than PARALLEL calls are in flight. */
  private async inSlot<T>(fn: () => Promise<T>): Promise<T> {
    const release = await this.slots.take();
    try {
      return await fn();
    } finally {
      release();
    }
  }

  /** The next check, `checkMs` after the last one ended (a large tree's check takes a while itself). */
  private checkSoon(): void {
    if (this.closed) return;
    this.checkTimer = setTimeout(() => {
      void this.check().then(() => this.checkSoon());
    }, this.opts.checkMs ?? CHECK_MS);
  }

  /** Compares the tree's metadata with the last look: every path that changed is read as if an event said so. */
  private async check(): Promise<void> {
    let look: Snapshot | undefined;
    try {
      look = await snapshot(this.opts.roots, () => this.closed);
    } catch (err) {
      this.rescanSoon('the metadata check failed', err);
      return;
    }
    if (look === undefined || this.closed) return;
    const changed = changedPaths(this.lastLook, look);
    const folders = changed.some((p) => look.get(p)?.startsWith('d:') ?? this.lastLook.get(p)?.startsWith('d:'));
    this.lastLook = look;
    if (changed.length === 0) return;
    this.opts.log.debug({ paths: changed.length }, 'metadata check found changes');
    // A folder made or swapped without an event has no watch yet either.
    if (folders) void this.watches.addAll().catch((err: unknown) => this.rescanSoon('cannot watch the tree', err));
    for (const p of changed) this.settler.touch(p);
  }

  /** Observes these paths of one sandbox; a sandbox without events is adopted whole first. */
  private async record(id: string, paths: string[]): Promise<number> {
    if (this.closed) return 0;
    try {
      if (this.withEvents.has(id)) {
        const events = await this.store.observe(id, paths);
        if (events.length > 0) {
          this.opts.onEvents?.(events);
          return events.length;
        }
        // Nothing differed, or the journal is gone (pruned, the ID used again): the store says which.
      }
      let count = 0;
      if ((await this.store.seq(id)) === 0) {
        const legacy = await readLegacySandbox(this.opts.roots, id);
        if (!legacy.config && !legacy.run) return 0;
        const adopted = await this.store.adopt(id, eventsOf(legacy));
        this.opts.log.info(
          { sandbox: id, events: adopted.seq, skipped: legacy.skipped.length },
          'adopted a sandbox without a journal',
        );
        count += adopted.seq;
        paths = [`config/${id}`, `run/${id}`]; // what the import skipped (a torn file) is observed next
      } else if (this.withEvents.has(id)) return 0; // observed above: nothing differed
      this.withEvents.add(id);
      const events = await this.store.observe(id, paths);
      if (events.length > 0) this.opts.onEvents?.(events);
      return count + events.length;
    } catch (err) {
      // One sandbox's failure (an unsafe path, a lock held too long) never stops the watch: the next rescan retries.
      if (!isStoreError(err)) throw err;
      this.opts.log.error({ sandbox: id, err }, 'could not record a change');
      return 0;
    }
  }

  private rescanSoon(reason: string, err: unknown): void {
    if (this.closed) return;
    this.opts.log.warn({ reason, err }, 'events may have been lost: rescanning');
    this.rescanQueued = reason;
    // One rescan at a time, beside the sandboxes' own flushes: reasons queued meanwhile share the next one.
    this.rescanning = this.rescanning.then(async () => {
      const queued = this.rescanQueued;
      if (this.closed || queued === undefined) return;
      this.rescanQueued = undefined;
      await this.rescan(queued).catch((err: unknown) => this.opts.log.error({ err }, 'rescan failed'));
    });
  }

  /** A timer that fires far too late means the process did not run (SIGSTOP, a frozen VM): the kernel queue may have overflowed. */
  private watchForGaps(gapMs: number): void {
    const every = Math.min(250, gapMs);
    let last = Date.now();
    this.gapTimer = setInterval(() => {
      const now = Date.now();
      if (now - last > gapMs) this.rescanSoon(`not running for ${now - last} ms: a gap was possible`, undefined);
      last = now;
    }, every);
  }
}

async function journaled(roots: Roots): Promise<string[]> {
  try {
    return (await readdir(roots.journal, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') return [];
    throw err;
  }
}
