import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { isStoreError } from '../errors.ts';
import type { EventInput } from '../journal/record.ts';
import { checkId } from '../layout/ids.ts';
import type { Resource } from '../layout/resources.ts';
import { journalFile, type Roots } from '../layout/roots.ts';
import { readEvents } from '../journal/reader.ts';
import { silentLogger, type Logger } from '../log.ts';
import type { Drift } from '../projector/compare.ts';
import { Store } from '../store/store.ts';
import { legacySandboxIds, readLegacySandbox, type LegacySandbox, type Skipped } from '../audit/legacy-tree.ts';
import { fileExists } from '../fs/missing.ts';

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
 * that already has events is refused; one whose journal holds none (an
 * import killed before its one append) is imported. Each sandbox's events
 * are one append: all or nothing. One result per sandbox folder, as it is done.
 */
export async function* importLegacy(to: Roots, from: Roots, opts: ImportOptions = {}): AsyncGenerator<ImportResult> {
  const inPlace = await sameFolder(to.config, from.config);
  const ids = await legacySandboxIds(from);
  const store = new Store({ roots: to, log: opts.log ?? silentLogger });
  try {
    for (const [i, id] of ids.entries()) {
      yield await importSandbox(store, to, from, id, inPlace);
      opts.progress?.(i + 1, ids.length);
    }
  } finally {
    await store.close();
  }
}

async function importSandbox(
  store: Store,
  to: Roots,
  from: Roots,
  id: string,
  inPlace: boolean,
): Promise<ImportResult> {
  const refused = (reason: string): ImportResult => ({
    sandbox: id,
    status: 'refused',
    reason,
    events: 0,
    skipped: [],
    drift: [],
  });
  try {
    checkId('sandbox', id);
    if (await hasEvents(journalFile(to, id))) return refused('it already has a journal');
    if (!inPlace && ((await fileExists(path.join(to.config, id))) || (await fileExists(path.join(to.run, id))))) {
      return refused('the target tree already has folders for it');
    }
    const legacy = await readLegacySandbox(from, id);
    const events = eventsOf(legacy);
    const { drift } = await store.adopt(id, events);
    return { sandbox: id, status: 'imported', events: events.length, skipped: legacy.skipped, drift };
  } catch (err) {
    // One sandbox's failure (a journal already there, a full disk, an unsafe path) never stops the others.
    if (!isStoreError(err)) throw err;
    return refused(err.code === 'EEXIST' ? 'it already has a journal' : `${err.code}: ${err.message}`);
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
  const gone = (has: { config: boolean; run: boolean }): Resource[] => [
    ...(has.config ? [] : (['config'] as const)),
    ...(has.run ? [] : (['state'] as const)),
  ];
  const missing = gone(legacy);
  if (missing.length > 0) events.push({ op: 'delete', sandbox, resources: missing });
  for (const [container, has] of legacy.containers) {
    const resources = gone(has).filter((r) => legacy[r === 'config' ? 'config' : 'run']);
    if (resources.length > 0) events.push({ op: 'delete', sandbox, container, resources });
  }
  for (const { container, resource, payload } of legacy.files) {
    events.push(
      container === undefined
        ? { op: 'store', sandbox, resource, payload }
        : { op: 'store', sandbox, container, resource, payload },
    );
  }
  return events;
}

/** Whether a journal holds at least one whole record (a killed import leaves none, or a torn one). */
async function hasEvents(file: string): Promise<boolean> {
  if (!(await fileExists(file))) return false;
  for await (const _ of readEvents(file)) return true;
  return false;
}

/** Two paths name one folder (a symlink or `..` may hide it); a missing one is compared as written. */
async function sameFolder(a: string, b: string): Promise<boolean> {
  const real = (p: string) => realpath(p).catch(() => path.resolve(p));
  return (await real(a)) === (await real(b));
}
