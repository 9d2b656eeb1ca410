import { readEvents, type ReadOptions } from '../journal/reader.ts';
import type { JournalEvent } from '../journal/record.ts';
import { TreeModel } from './tree-model.ts';

export interface Replay {
  model: TreeModel;
  /** the last event applied, undefined for an empty journal or a point before the first event */
  last?: JournalEvent;
  /** events read in all, including those past the stopping point */
  seen: number;
}

/** Where a replay stops: right after event `seq`, or after the last event at or before `time` (ISO 8601). */
export interface ReplayPoint {
  seq?: number;
  time?: string;
}

const after = (event: JournalEvent, point: ReplayPoint) =>
  (point.seq !== undefined && event.seq > point.seq) || (point.time !== undefined && event.time > point.time);

/**
 * The legacy tree a journal describes, read-only and streaming: memory holds
 * the tree, never the history.
 */
export async function replayJournal(file: string, point: ReplayPoint = {}, options: ReadOptions = {}): Promise<Replay> {
  const replay: Replay = { model: new TreeModel(), seen: 0 };
  for await (const { offset: _offset, ...event } of readEvents(file, options)) {
    replay.seen++;
    if (after(event, point)) break;
    replay.model.apply(event);
    replay.last = event;
  }
  return replay;
}
