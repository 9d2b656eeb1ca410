import type { ErrorCode } from '../errors.ts';
import { eventHash, type JournalEvent } from '../journal/record.ts';
import { replayJournal, type ReplayOptions } from '../projector/replay.ts';
import type { TreeModel } from '../projector/tree-model.ts';

/** What reading a whole journal found, without changing anything. */
export interface JournalHealth {
  events: number;
  seq: number;
  /** SHA-256 of the last record body: equal to the stored one, since bodies are canonical */
  head: string;
  /** the bytes of an unfinished append at the end (a writer cuts them) */
  torn?: { offset: number; bytes: number };
  /** a damaged or unchained record: nothing after it was read */
  damage?: { code: ErrorCode; offset?: number | undefined; message: string };
  /** the tree the readable events describe */
  model: TreeModel;
  last?: JournalEvent;
}

/** Reads a journal to the end or to its first damage, replaying it as it goes. */
export async function inspectJournal(file: string, opts: Pick<ReplayOptions, 'progress'> = {}): Promise<JournalHealth> {
  let torn: JournalHealth['torn'];
  const { count, last, model, damage } = await replayJournal(
    file,
    {},
    { ...opts, untilDamage: true, checkSchema: true, onTornTail: (t) => (torn = t) },
  );
  const health: JournalHealth = {
    events: count,
    seq: last?.seq ?? 0,
    head: last ? eventHash(last) : '',
    model,
  };
  if (torn) health.torn = torn;
  if (last) health.last = last;
  if (damage) health.damage = { code: damage.code, offset: damage.offset, message: damage.message };
  return health;
}
