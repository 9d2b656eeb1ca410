import { rm } from 'node:fs/promises';
import { errDamage } from '../../errors.ts';
import { fileExists } from '../../fs/missing.ts';
import { truncateAtCorruption, type CorruptionRepair } from '../../journal/repair.ts';
import type { Roots } from '../../layout/roots.ts';
import type { Logger } from '../../log.ts';
import { compareTree, type Drift } from '../../projector/compare.ts';
import { checkpointFile, removeCheckpointTemps } from '../../recovery/checkpoint.ts';
import { inspectJournal } from '../../recovery/inspect.ts';
import { removeTempFiles } from '../../recovery/temp-files.ts';
import type { LostHistory } from './open-journal.ts';
import type { Opened, Replica } from './replica.ts';

export interface Recovery {
  /** an unfinished append that reopening cut off */
  torn?: { offset: number; bytes: number };
  /** the damaged end that was cut, and where the whole file was copied */
  cut?: CorruptionRepair;
  /** legacy files rewritten from the journal */
  rebuilt: string[];
  /** temp files of interrupted writes, removed */
  temps: string[];
  /** what still differs from the journal: files it does not know are left for the operator */
  leftovers: Drift[];
  /** the checkpoint knew of events the journal no longer holds: history was lost */
  lost?: LostHistory;
  seq: number;
}

/**
 * `vcstore recover` for one sandbox; call it holding the sandbox, without
 * catch-up: reopens the journal (which cuts a torn tail), or with
 * `truncateAtCorruption` first keeps the good prefix of a damaged one (the
 * whole file copied to `.broken`), then rebuilds the legacy tree and removes
 * temp files a crash left behind.
 */
export async function recoverJournal(
  roots: Roots,
  replica: Replica,
  options: { truncateAtCorruption?: boolean; log: Logger },
): Promise<Recovery> {
  const file = replica.file;
  const health = await inspectJournal(file);
  let cut: CorruptionRepair | undefined;
  if (health.damage) {
    if (!options.truncateAtCorruption) throw errDamage(health.damage, file);
    cut = await truncateAtCorruption(file, { log: options.log });
  }
  // What this writer knew is dropped: the journal is read again from the disk.
  await replica.forget();
  let opened: Opened = { rebuilt: [], temps: [] };
  if (await fileExists(file)) {
    const { rebuilt, temps } = await replica.open();
    opened = { rebuilt, temps };
  }
  const mismatch = replica.mismatch;
  const temps = [
    ...opened.temps,
    ...(await removeTempFiles(roots, replica.id)),
    ...(await removeCheckpointTemps(file)),
  ].sort();
  // Reported (as lost history, if it was ahead); kept, it would be reported for ever.
  if (mismatch) await rm(checkpointFile(file), { force: true });
  const leftovers = await compareTree(roots, replica.model, replica.id);
  const recovery: Recovery = { rebuilt: opened.rebuilt, temps, leftovers, seq: replica.seq };
  if (health.torn) recovery.torn = health.torn;
  if (cut) recovery.cut = cut;
  if (mismatch?.lost) recovery.lost = mismatch.lost;
  return recovery;
}
