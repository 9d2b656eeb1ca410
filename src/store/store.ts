import { errUnsafePath, errUsage } from '../errors.ts';
import type { EventInput, JournalEvent } from '../journal/record.ts';
import { checkId } from '../layout/ids.ts';
import { LEGACY_ROOTS, type Roots } from '../layout/roots.ts';
import { silentLogger, type Logger } from '../log.ts';
import type { Drift } from '../projector/compare.ts';
import type { DriftPolicy } from './drift.ts';
import { callFetch, callMutation, callUri, type StoreCore } from './legacy-calls.ts';
import { legacyMethods, type MethodSpec } from './legacy-methods.ts';
import type { LegacyMethods, SandboxSpec, WriteOptions } from './legacy-signatures.ts';
import { CommitLoad } from './session/commit.ts';
import type { Recovery } from './session/recover.ts';
import { WriterSession } from './session/session.ts';

export type {
  Fetched,
  FetchTarget,
  SandboxSpec,
  StorableResource,
  TypedValue,
  WriteOptions,
} from './legacy-signatures.ts';

export interface StoreOptions {
  roots?: Partial<Roots>;
  log?: Logger;
  /**
   * What to do with a legacy file or folder found differing from the journal
   * (always recorded first as an `observe` event): `restore` writes the
   * journal's state back, `adopt` makes what was found the state.
   */
  drift?: DriftPolicy;
  /**
   * How long a writer that has run out of writes keeps a sandbox's lock for
   * the next one, in ms (default 0: it lets go one turn of the event loop
   * after its last write). The daemon uses 2: a client's next store comes a
   * socket round trip later, and keeping the lock spares it a lock
   * acquisition and a look at the journal's end per store, and lets it sync
   * inline like a writer in process. Any other operation on the sandbox, and
   * close(), end the wait at once.
   */
  lingerMs?: number;
}

// Each store's core, out of the class's own members: only vcstore's callers of the method table reach it.
const cores = new WeakMap<object, StoreCore>();

/** What the method table's calls need of a store (its roots and sessions). */
export function storeCore(store: Store): StoreCore {
  const core = cores.get(store);
  if (core === undefined) throw errUsage('not a vcstore Store');
  return core;
}

/** A legacy method of `Store`, made from its row of the method table. */
function legacyMethod(spec: MethodSpec) {
  switch (spec.kind) {
    case 'uri':
      return function (this: Store, ...args: unknown[]) {
        return callUri(storeCore(this), spec, args);
      };
    case 'fetch':
      return async function (this: Store, ...args: unknown[]) {
        return callFetch(storeCore(this), spec, args).value;
      };
    case 'create':
      // The one method whose TypeScript shape is not the Go argument list: a sandbox and its containers.
      return async function (this: Store, sandbox: SandboxSpec, options?: WriteOptions) {
        return callMutation(storeCore(this), spec, [sandbox.id, sandbox.containers ?? [], options]);
      };
    default:
      return function (this: Store, ...args: unknown[]) {
        return callMutation(storeCore(this), spec, args);
      };
  }
}

/** A class whose prototype holds every legacy method of the table. */
function legacyMethodsClass(): abstract new () => LegacyMethods {
  abstract class Methods {}
  for (const [name, spec] of legacyMethods()) {
    Object.defineProperty(Methods.prototype, name, { value: legacyMethod(spec), writable: true, configurable: true });
  }
  // The prototype was filled from the table above, and LegacyMethods is the table's type.
  return Methods as abstract new () => LegacyMethods;
}

/**
 * The legacy resourceStorage interface over a journal. Every store, delete
 * and create appends one event and returns once it is durable; the legacy
 * tree is then written from it. Fetches read the legacy files. The legacy
 * methods (storeSandboxResource, fetchContainerState…) come from the method
 * table in legacy-methods.ts, typed by legacy-signatures.ts.
 */
export class Store extends legacyMethodsClass() {
  readonly roots: Roots;
  private readonly log: Logger;
  private readonly sandboxes = new Map<string, WriterSession>();
  private readonly load = new CommitLoad();
  private readonly drift: DriftPolicy;
  private readonly lingerMs: number;

  constructor(options: StoreOptions = {}) {
    super();
    this.roots = { ...LEGACY_ROOTS, ...options.roots };
    this.log = options.log ?? silentLogger;
    this.drift = options.drift ?? 'restore';
    this.lingerMs = options.lingerMs ?? 0;
    cores.set(this, { roots: this.roots, session: (id) => this.sandbox(id) });
  }

  /** Cuts a torn tail (and with `truncateAtCorruption` a damaged end), rebuilds the legacy tree, removes temp files. */
  async recover(sandboxID: string, options: { truncateAtCorruption?: boolean } = {}): Promise<Recovery> {
    checkId('sandbox', sandboxID);
    return this.sandbox(sandboxID).recover(options);
  }

  /**
   * Adopts a sandbox that has no events yet (`vcstore import`): the events,
   * in one append, then the tree brought in line with them. EEXIST if the
   * sandbox already has events.
   */
  async adopt(sandboxID: string, events: EventInput[]): Promise<{ seq: number; drift: Drift[] }> {
    checkId('sandbox', sandboxID);
    return this.sandbox(sandboxID).adopt(events);
  }

  /**
   * Records, as `observe` events, what the legacy tree holds at and below
   * these tree paths (`run/<sandbox>/…`, `config/<sandbox>/…`) where it
   * differs from the sandbox's journal, then applies the drift policy.
   */
  async observe(sandboxID: string, treePaths: string[]): Promise<JournalEvent[]> {
    checkId('sandbox', sandboxID);
    const own = (p: string) =>
      p === `config/${sandboxID}` ||
      p === `run/${sandboxID}` ||
      p.startsWith(`config/${sandboxID}/`) ||
      p.startsWith(`run/${sandboxID}/`);
    const foreign = treePaths.find(
      (p) => !own(p) || p.split('/').some((part) => part === '..' || part === '.' || part === ''),
    );
    if (foreign !== undefined)
      throw errUnsafePath(`refusing tree path ${JSON.stringify(foreign)}: not in sandbox ${sandboxID}`);
    return this.sandbox(sandboxID).observe(treePaths);
  }

  /** The last sequence number this process has seen for a sandbox (0 before any event). */
  async seq(sandboxID: string): Promise<number> {
    checkId('sandbox', sandboxID);
    return this.sandbox(sandboxID).current();
  }

  async close(): Promise<void> {
    for (const sandbox of this.sandboxes.values()) await sandbox.close();
    this.sandboxes.clear();
  }

  private sandbox(id: string): WriterSession {
    let sandbox = this.sandboxes.get(id);
    if (!sandbox)
      this.sandboxes.set(
        id,
        (sandbox = new WriterSession(this.roots, id, this.log, this.drift, this.load, this.lingerMs)),
      );
    return sandbox;
  }
}
