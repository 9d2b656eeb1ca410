import { StoreError } from '../errors.ts';
import { readEvents } from '../journal/reader.ts';
import type { JournalEvent } from '../journal/record.ts';
import type { ReplayPoint } from '../projector/replay.ts';
import { TreeModel } from '../projector/tree-model.ts';
import { journalSize, type AuditOptions } from './options.ts';

export interface StateAt {
  /** the legacy tree right after `last` */
  model: TreeModel;
  first?: JournalEvent;
  /** the last event applied; undefined at a point before the first event */
  last?: JournalEvent;
  /** events applied */
  count: number;
}

const after = (event: JournalEvent, point: ReplayPoint) =>
  (point.seq !== undefined && event.seq > point.seq) || (point.time !== undefined && event.time > point.time);

/**
 * The legacy tree as it was right after event `seq`, or after the last event
 * at or before `time`; the whole journal when no point is given. This is
 * replayJournal's loop with a progress report, and it keeps the first event:
 * memory holds the tree, never the history. A `seq` the journal does not
 * reach is refused (EUSAGE), so a typo does not silently show the present.
 */
export async function stateAt(file: string, point: ReplayPoint = {}, opts: AuditOptions = {}): Promise<StateAt> {
  const state: StateAt = { model: new TreeModel(), count: 0 };
  const total = opts.progress ? await journalSize(file) : 0;
  for await (const { offset, ...event } of readEvents(file, opts)) {
    if (after(event, point)) break;
    state.model.apply(event);
    state.first ??= event;
    state.last = event;
    state.count++;
    opts.progress?.(offset, total);
  }
  const seq = state.last?.seq ?? 0;
  if (point.seq !== undefined && point.seq !== seq) {
    throw new StoreError('EUSAGE', `${file}: there is no event ${point.seq}; the journal ends at ${seq}`, { file, seq });
  }
  opts.progress?.(total, total);
  return state;
}
