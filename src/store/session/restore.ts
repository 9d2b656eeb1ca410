import { writeJournal } from '../../journal/restore.ts';
import type { Roots } from '../../layout/roots.ts';
import { reconcile } from '../../projector/project.ts';
import { replayJournal } from '../../projector/replay.ts';
import type { WriterLock } from '../writer-lock.ts';
import type { Replica } from './replica.ts';

export interface RestoredJournal {
  seq: number;
  head: string;
  /** legacy files the restore wrote */
  rebuilt: string[];
}

/**
 * Writes a sandbox's journal from record bodies kept elsewhere (the stream),
 * byte for byte the original records, chain checked; then its legacy tree as
 * the replay of that journal. Call it holding the sandbox, which must have no
 * journal yet.
 *
 * Not the session's open: on a machine with another boot ID that would record
 * a reboot and clear the run state, and the tree must be the lost host's as
 * it was. The first writer that opens the sandbox here records that reboot,
 * as on any host after a restart.
 */
export async function restoreJournal(
  roots: Roots,
  replica: Replica,
  lock: WriterLock,
  bodies: AsyncIterable<Uint8Array>,
): Promise<RestoredJournal> {
  await replica.forget();
  lock.check();
  const { seq, head } = await writeJournal(replica.file, bodies);
  lock.check();
  const { model } = await replayJournal(replica.file);
  return { seq, head, rebuilt: await reconcile(roots, model) };
}

/**
 * A journal outside any root, from bodies kept elsewhere: a scratch copy of a
 * remote history for the audit commands to read (nobody else can hold it, so
 * there is no lock to take). Never a sandbox's journal: restore that through
 * its session.
 */
export function writeScratchJournal(
  file: string,
  bodies: AsyncIterable<Uint8Array>,
): Promise<{ seq: number; head: string }> {
  return writeJournal(file, bodies);
}
