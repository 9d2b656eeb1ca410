import { readEvents, type ReadOptions } from '../journal/reader.ts';
import type { JournalEvent } from '../journal/record.ts';
import { matches, type EventFilter } from './filter.ts';
import { followEvents, type FollowOptions } from './follow.ts';

export interface HistoryOptions extends ReadOptions {
  /** keep yielding events as they are appended, until the signal aborts */
  follow?: FollowOptions;
}

/**
 * A sandbox's events that match `filter`, oldest first, streamed from the
 * journal read-only (no lock, no repair). Reading stops after `toSeq`.
 */
export async function* history(
  file: string,
  filter: EventFilter = {},
  opts: HistoryOptions = {},
): AsyncGenerator<JournalEvent> {
  const source = opts.follow ? followEvents(file, opts.follow) : readEvents(file, opts);
  for await (const { offset: _offset, ...event } of source) {
    if (filter.toSeq !== undefined && event.seq > filter.toSeq) return;
    if (matches(event, filter)) yield event;
  }
}
