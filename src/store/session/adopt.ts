import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { errExists } from '../../errors.ts';
import { fsyncDir } from '../../journal/fsutil.ts';
import type { EventInput } from '../../journal/record.ts';
import { JournalWriter } from './journal-writer.ts';
import type { Roots } from '../../layout/roots.ts';
import type { Logger } from '../../log.ts';
import { compareTree, type Drift } from '../../projector/compare.ts';
import type { WriterLock } from '../writer-lock.ts';
import type { Replica } from './replica.ts';

/**
 * Writes the events of an imported sandbox, only if its journal holds none
 * yet: into a journal of their own beside it, synced, then renamed over it,
 * so a crash leaves all of them or none. Call it holding the sandbox.
 */
export async function adoptEvents(
  roots: Roots,
  replica: Replica,
  lock: WriterLock,
  log: Logger,
  events: EventInput[],
): Promise<{ seq: number; drift: Drift[] }> {
  if (replica.seq > 0) throw errExists(`sandbox ${replica.id} already has a journal with ${replica.seq} events`);
  const file = replica.file;
  const aside = `${file}.import`;
  await rm(aside, { force: true });
  const writer = await JournalWriter.open(aside, { log });
  try {
    await writer.appendBatch(events);
  } finally {
    await writer.close();
  }
  lock.check();
  await replica.forget();
  await rename(aside, file);
  await fsyncDir(path.dirname(file));
  await replica.open();
  return { seq: replica.seq, drift: await compareTree(roots, replica.model, replica.id) };
}
