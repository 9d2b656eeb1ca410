import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { encodePayload } from '../../src/legacy/payloads.ts';
import { journalFile, rootsUnder } from '../../src/layout/roots.ts';
import { Store } from '../../src/store/store.ts';

/**
 * The one workload every store figure uses, so that vcstore, SQLite, the
 * legacy write path and the bare fsync loop all move the same bytes.
 */
export const stateValue = (i: number) => ({ state: 'running', blockIndex: i });

/** What the caller passes to `storeSandboxResource(sid, 'state', …)`. */
export const stateData = (i: number) => ({ type: 'State' as const, value: stateValue(i) });

/** The bytes of state.json for op i: what the legacy runtime wrote and what the event's payload holds. */
export const statePayload = (i: number) => encodePayload('State', stateValue(i));

/** A fresh folder under os.tmpdir(), on the same disk the project's temp files use. */
export async function tempDir(tag: string): Promise<{ dir: string; done: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `vcstore-bench-${tag}-`));
  return { dir, done: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * The size on disk of one store event, frame included, measured by storing
 * one with the real Store: the bare loop and SQLite then write records of
 * that size. Only the digits of seq and blockIndex vary between events.
 */
export async function storeFrameSize(): Promise<number> {
  const { dir, done } = await tempDir('frame');
  const roots = rootsUnder(dir);
  const store = new Store({ roots });
  try {
    await store.createAllResources({ id: 'sb' });
    const before = (await stat(journalFile(roots, 'sb'))).size;
    await store.storeSandboxResource('sb', 'state', stateData(1000));
    return (await stat(journalFile(roots, 'sb'))).size - before;
  } finally {
    await store.close();
    await done();
  }
}
