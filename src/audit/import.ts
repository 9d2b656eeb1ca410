import { access, realpath } from 'node:fs/promises';
import path from 'node:path';
import type { EventInput } from '../journal/record.ts';
import { JournalWriter } from '../journal/writer.ts';
import { checkId } from '../layout/ids.ts';
import { journalFile, type Roots } from '../layout/roots.ts';
import { silentLogger, type Logger } from '../log.ts';
import { compareTree, type Drift } from '../projector/compare.ts';
import { reconcile } from '../projector/project.ts';
import { TreeModel } from '../projector/tree-model.ts';
import { lockSandbox, type WriterLock } from '../store/writer-lock.ts';
import { legacySandboxIds, readLegacySandbox, type LegacySandbox, type Skipped } from './legacy-tree.ts';

export interface ImportResult {
  sandbox: string;
  status: 'imported' | 'refused';
  /** why the sandbox was refused */
  reason?: string;
  /** events written to its new journal */
  events: number;
  /** legacy entries not adopted (a file that does not decode, a stray file), with the reason */
  skipped: Skipped[];
  /** differences left between the tree under the target root and the new journal */
  drift: Drift[];
}

export interface ImportOptions {
  log?: Logger;
  /** told after each sandbox: sandboxes done, of `total` */
  progress?: (done: number, total: number) => void;
}

/**
 * Adopts every sandbox of a tree the legacy runtime wrote (under `from`) into
 * journals under `to`, then brings the tree under `to` in line with them
 * (`from` may be `to`: files that already match are left alone). A sandbox
 * that already has a journal is refused. One result per sandbox folder, as it
 * is done.
 */
export async function* importLegacy(to: Roots, from: Roots, opts: ImportOptions = {}): AsyncGenerator<ImportResult> {
  const inPlace = await sameFolder(to.config, from.config);
  const ids = await legacySandboxIds(from);
  for (const [i, id] of ids.entries()) {
    yield await importSandbox(to, from, id, inPlace, opts);
    opts.progress?.(i + 1, ids.length);
  }
}

async function importSandbox(to: Roots, from: Roots, id: string, inPlace: boolean, opts: ImportOptions): Promise<ImportResult> {
  const refused = (reason: string): ImportResult => ({ sandbox: id, status: 'refused', reason, events: 0, skipped: [], drift: [] });
  try {
    checkId('sandbox', id);
  } catch (err) {
    return refused((err as Error).message);
  }
  if (await exists(journalFile(to, id))) return refused('it already has a journal');
  if (!inPlace && ((await exists(path.join(to.config, id))) || (await exists(path.join(to.run, id))))) {
    return refused('the target tree already has folders for it');
  }
  const legacy = await readLegacySandbox(from, id);
  const events = eventsOf(legacy);
  const lock = await lockSandbox(to.journal, id, opts.log ?? silentLogger);
  try {
    // Checked again under the lock: a runtime may have started writing the sandbox meanwhile.
    if (await exists(journalFile(to, id))) return refused('it already has a journal');
    const model = await writeJournal(journalFile(to, id), events, lock, opts);
    await reconcile(to, model);
    const drift = await compareTree(to, model, id);
    return { sandbox: id, status: 'imported', events: events.length, skipped: legacy.skipped, drift };
  } finally {
    await lock.release();
  }
}

/** Appends the events to a new journal, with one sync, and returns the tree they describe. */
async function writeJournal(file: string, events: EventInput[], lock: WriterLock, opts: ImportOptions): Promise<TreeModel> {
  const writer = await JournalWriter.open(file, { log: opts.log });
  try {
    const model = new TreeModel();
    lock.check();
    for (const event of await writer.appendBatch(events)) model.apply(event);
    return model;
  } finally {
    await writer.close();
  }
}

/**
 * The events a store would have written to leave this tree: one create, a
 * delete for each folder the create makes that is not there (a sandbox whose
 * run folder is gone, a container with only a config folder), a store per file.
 */
export function eventsOf(legacy: LegacySandbox): EventInput[] {
  const sandbox = legacy.id;
  const events: EventInput[] = [{ op: 'create', sandbox, containers: [...legacy.containers.keys()] }];
  const gone = (has: { config: boolean; run: boolean }) => [...(has.config ? [] : ['config']), ...(has.run ? [] : ['state'])];
  const missing = gone(legacy);
  if (missing.length > 0) events.push({ op: 'delete', sandbox, resources: missing });
  for (const [container, has] of legacy.containers) {
    const resources = gone(has).filter((r) => legacy[r === 'config' ? 'config' : 'run']);
    if (resources.length > 0) events.push({ op: 'delete', sandbox, container, resources });
  }
  for (const { container, resource, payload } of legacy.files) {
    events.push(container === undefined ? { op: 'store', sandbox, resource, payload } : { op: 'store', sandbox, container, resource, payload });
  }
  return events;
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

/** Two paths name one folder (a symlink or `..` may hide it); a missing one is compared as written. */
async function sameFolder(a: string, b: string): Promise<boolean> {
  const real = (p: string) => realpath(p).catch(() => path.resolve(p));
  return (await real(a)) === (await real(b));
}
