import type { TestContext } from 'node:test';
import type { StoreError } from '../../src/errors.ts';
import { readEvents } from '../../src/journal/reader.ts';
import type { JournalEvent } from '../../src/journal/record.ts';
import { journalFile, rootsUnder, type Roots } from '../../src/layout/roots.ts';
import { Store } from '../../src/store/store.ts';
import { tempDir } from './temp.ts';

/** A store on a fresh temp root, removed after the test; `done` closes the store. */
export async function tempStore(
  t: TestContext,
): Promise<{ store: Store; root: string; roots: Roots; done: () => Promise<void> }> {
  const root = await tempDir(t, 'store');
  const roots = rootsUnder(root);
  const store = new Store({ roots });
  return { store, root, roots, done: () => store.close() };
}

export async function events(roots: Roots, sandboxID: string): Promise<JournalEvent[]> {
  const out: JournalEvent[] = [];
  for await (const { offset: _offset, ...event } of readEvents(journalFile(roots, sandboxID))) out.push(event);
  return out;
}

/** Expects a promise to reject with a StoreError of this code; returns the error. */
export async function rejectsWith(promise: Promise<unknown>, code: string): Promise<StoreError> {
  try {
    await promise;
  } catch (err) {
    if ((err as { code?: string }).code !== code) {
      throw new Error(`expected ${code}, got ${(err as { code?: string }).code}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    return err as StoreError;
  }
  throw new Error(`expected ${code}, but it succeeded`);
}
