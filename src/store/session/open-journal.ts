import { messageOf } from '../../errors.ts';
import { corrupt } from '../../journal/decoder.ts';
import type { JournalEvent } from '../../journal/record.ts';
import { JournalWriter } from './journal-writer.ts';
import type { Logger } from '../../log.ts';
import { TreeModel } from '../../projector/tree-model.ts';
import { checkpointFile, provesCheckpoint, readCheckpoint } from '../../recovery/checkpoint.ts';

/** The checkpoint knew of events the journal no longer holds: history was lost. */
export interface LostHistory {
  checkpointSeq: number;
  journalSeq: number;
}

export interface JournalRead {
  journal: JournalWriter;
  /** the tree the journal describes */
  model: TreeModel;
  /** the last event read (or the checkpoint's, when reading started after it) */
  last: JournalEvent | undefined;
  /** the sequence number of the last checkpoint */
  checkpointed: number;
  /** the checkpoint file did not match the journal; `lost` when it knew of more events */
  mismatch?: { lost?: LostHistory };
}

/**
 * Opens a sandbox's journal for appending (which cuts a torn tail) and
 * replays it: from its checkpoint when the journal proves that checkpoint,
 * else from the first event. `onEvent` sees each event read, with the tree
 * before it, so the writer can note what the event changes.
 */
export async function openJournal(
  file: string,
  log: Logger,
  onEvent: (event: JournalEvent, before: TreeModel) => void,
): Promise<JournalRead> {
  const checkpoint = await readCheckpoint(checkpointFile(file), log);
  const saved = checkpoint && TreeModel.from(checkpoint.model);
  // Right if the journal proves it; else reading starts over at event 1.
  let model = saved ?? new TreeModel();
  let last: JournalEvent | undefined;
  let checkpointed = 0;
  const journal = await JournalWriter.open(file, {
    log,
    ...(checkpoint && saved ? { resume: { ...checkpoint, accepts: (e) => provesCheckpoint(e, saved) } } : {}),
    onEvent: (event, offset) => {
      if (event.seq === 1) model = new TreeModel();
      try {
        onEvent(event, model);
        model.apply(event);
      } catch (err) {
        // A record that reads and chains but that no store wrote: damage at its offset, as replay reports it.
        throw corrupt(file, offset, `record does not apply: ${messageOf(err)}`, err);
      }
      last = event;
      if (event.op === 'checkpoint') checkpointed = event.seq;
    },
  });
  if (journal.resumed && checkpoint)
    return { journal, model, last: last ?? journal.resumedAt, checkpointed: checkpoint.seq };
  if (journal.seq === 0) model = new TreeModel(); // an empty journal: nothing of the checkpoint holds
  const read: JournalRead = { journal, model, last, checkpointed };
  if (checkpoint) read.mismatch = checkpointIgnored(file, checkpoint.seq, journal.seq, log);
  return read;
}

function checkpointIgnored(file: string, seq: number, journalSeq: number, log: Logger): { lost?: LostHistory } {
  log.warn({ file, seq }, 'checkpoint does not match the journal: ignored');
  if (seq <= journalSeq) return {};
  const lost = { checkpointSeq: seq, journalSeq };
  log.error({ file, ...lost }, 'journal holds fewer events than its checkpoint: history was lost');
  return { lost };
}
