import { rm } from 'node:fs/promises';
import path from 'node:path';
import { fsyncDir } from '../../journal/fsutil.ts';
import type { WriterLock } from '../writer-lock.ts';
import type { Replica } from './replica.ts';

/** Says why a journal must stay after all, or undefined when it may go; run under the sandbox's lock. */
export type RetireCheck = (file: string) => Promise<string | undefined>;

/**
 * Removes a sandbox's journal folder (journal and checkpoint), holding the
 * sandbox, once `keep` finds no reason to keep it; then runs `after`, still
 * holding it. This writer lets go of its
 * open journal first; any other writer finds, before its next append, that
 * its descriptor is no longer the journal at the path (ESTALE) and reopens.
 */
export async function retireJournal(
  replica: Replica,
  lock: WriterLock,
  keep: RetireCheck,
  after?: () => Promise<void>,
): Promise<string | undefined> {
  const why = await keep(replica.file);
  if (why !== undefined) return why;
  await replica.forget();
  lock.check();
  const folder = path.dirname(replica.file);
  await rm(folder, { recursive: true });
  await fsyncDir(path.dirname(folder));
  await after?.();
  return undefined;
}
