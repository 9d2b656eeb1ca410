import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { StoreError } from '../../src/errors.ts';
import { readEvents } from '../../src/journal/reader.ts';
import type { JournalEvent } from '../../src/journal/record.ts';
import { rootsUnder, type Roots } from '../../src/layout/roots.ts';
import { journalFile } from '../../src/layout/roots.ts';
import { Store } from '../../src/store/store.ts';

/** A store on a fresh temp root; `done` closes it and removes the folder. */
export async function tempStore(): Promise<{ store: Store; root: string; roots: Roots; done: () => Promise<void> }> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'vcstore-test-'));
  const roots = rootsUnder(root);
  const store = new Store({ roots });
  return {
    store,
    root,
    roots,
    done: async () => {
      await store.close();
      await rm(root, { recursive: true, force: true });
    },
  };
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
      throw new Error(`expected ${code}, got ${(err as { code?: string }).code}: ${(err as Error).message}`);
    }
    return err as StoreError;
  }
  throw new Error(`expected ${code}, but it succeeded`);
}
