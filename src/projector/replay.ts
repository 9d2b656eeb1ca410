import { stat } from 'node:fs/promises';
import { isStoreError, type StoreError } from '../errors.ts';
import { corrupt } from '../journal/decoder.ts';
import { eachEvent, type ReadOptions } from '../journal/reader.ts';
import type { JournalEvent } from '../journal/record.ts';
import { TreeModel } from './tree-model.ts';

export interface Replay {
  /** the legacy tree right after `last` */
  model: TreeModel;
  first?: JournalEvent;
  /** the last event applied; undefined for an empty journal or a point before the first event */
  last?: JournalEvent;
  /** events applied */
  count: number;
  /** with `untilDamage`: the damaged or unchained record that ended the replay */
  damage?: StoreError;
}

/** Where a replay stops: right after event `seq`, or after the last event at or before `time` (ISO 8601). */
export interface ReplayPoint {
  seq?: number;
  time?: string;
}

export interface ReplayOptions extends ReadOptions {
  /** told how far a long read has got: bytes of the journal read so far, of `total` */
  progress?: (done: number, total: number) => void;
  /** stop at the first damaged record and report it, instead of throwing */
  untilDamage?: boolean;
  /** told of each event once it is applied */
  onEvent?: (event: JournalEvent) => void;
}

const after = (event: JournalEvent, point: ReplayPoint) =>
  (point.seq !== undefined && event.seq > point.seq) || (point.time !== undefined && event.time > point.time);

/**
 * The legacy tree a journal describes, read-only and streaming: memory holds
 * the tree, never the history. Damage throws, as readEvents does; so does a
 * record that reads but cannot be applied (ECORRUPT at its offset). The
 * schema is checked only with `checkSchema` (CRC and chain always are).
 */
export async function replayJournal(
  file: string,
  point: ReplayPoint = {},
  options: ReplayOptions = {},
): Promise<Replay> {
  const replay: Replay = { model: new TreeModel(), count: 0 };
  const total = options.progress
    ? await stat(file).then(
        (s) => s.size,
        () => 0,
      )
    : 0;
  const { progress, onEvent } = options;
  const visit = (event: JournalEvent, offset: number): boolean => {
    if (after(event, point)) return false;
    applyAt(replay.model, event, file, offset);
    onEvent?.(event);
    replay.first ??= event;
    replay.last = event;
    replay.count++;
    progress?.(offset, total);
    return true;
  };
  try {
    await eachEvent(file, visit, options);
  } catch (err) {
    if (!(options.untilDamage && isDamage(err))) throw err;
    replay.damage = err;
  }
  progress?.(total, total);
  return replay;
}

/**
 * Damage is a record that does not read or does not follow, or a journal
 * reached through a planted link; an I/O error is not damage, and is raised.
 */
const isDamage = (err: unknown): err is StoreError =>
  isStoreError(err, 'ECORRUPT') || isStoreError(err, 'ECHAIN') || isStoreError(err, 'EUNSAFEPATH');

/** A record whose frame and chain check out but that the model cannot apply is damage, never a crash. */
function applyAt(model: TreeModel, event: JournalEvent, file: string, offset: number): void {
  try {
    model.apply(event);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw corrupt(file, offset, `record does not apply: ${why}`, err);
  }
}
