import { stat } from 'node:fs/promises';
import { errCorrupt, isStoreError, messageOf, type StoreError } from '../errors.ts';
import { readEvents, type ReadOptions } from '../journal/reader.ts';
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
 * the tree, never the history. Damage throws, as readEvents does.
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
  try {
    for await (const event of readEvents(file, options)) {
      if (after(event, point)) break;
      applyRecord(replay.model, event, file);
      options.onEvent?.(event);
      replay.first ??= event;
      replay.last = event;
      replay.count++;
      options.progress?.(event.offset, total);
    }
  } catch (err) {
    if (!(options.untilDamage && isDamage(err))) throw err;
    replay.damage = err;
  }
  options.progress?.(total, total);
  // Only the two events kept lose the reader's offset; the others are never copied.
  if (replay.first) replay.first = withoutOffset(replay.first);
  if (replay.last) replay.last = withoutOffset(replay.last);
  return replay;
}

/**
 * Damage is a record that does not read or does not follow, or a journal
 * reached through a planted link; an I/O error is not damage, and is raised.
 */
const isDamage = (err: unknown): err is StoreError =>
  isStoreError(err, 'ECORRUPT') || isStoreError(err, 'ECHAIN') || isStoreError(err, 'EUNSAFEPATH');

/** A record that reads and chains but that no store could have written (a resource it does not know) is damage too. */
function applyRecord(model: TreeModel, event: JournalEvent & { offset: number }, file: string): void {
  try {
    model.apply(event);
  } catch (err) {
    const why = `record ${event.seq} at offset ${event.offset} cannot be replayed: ${messageOf(err)}`;
    throw errCorrupt(`${file}: ${why}`, { file, offset: event.offset, seq: event.seq, cause: err });
  }
}

function withoutOffset(event: JournalEvent & { offset?: number }): JournalEvent {
  const { offset: _offset, ...rest } = event;
  return rest;
}
