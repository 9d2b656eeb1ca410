import { readEvents, type ReadOptions } from '../journal/reader.ts';
import type { ReplayOptions } from '../projector/replay.ts';
import { journalSize } from './journal-size.ts';
import { eventHash } from '../journal/record.ts';

export interface Head {
  /** the last sequence number, 0 for an empty journal */
  seq: number;
  /** lowercase hex SHA-256 of the last record's body (the next record's `prev`), '' for an empty journal */
  hash: string;
  time?: string;
}

/**
 * The journal's head: a digest of its whole history, since every record
 * holds the hash of the one before. Recorded elsewhere, it proves later that
 * the history up to it was not rewritten. Bodies are canonical
 * (fast-json-stable-stringify), so re-encoding the event gives the stored bytes.
 */
export async function journalHead(
  file: string,
  opts: ReadOptions & Pick<ReplayOptions, 'progress'> = {},
): Promise<Head> {
  const total = opts.progress ? await journalSize(file) : 0;
  let head: Head = { seq: 0, hash: '' };
  for await (const { offset, ...event } of readEvents(file, opts)) {
    head = { seq: event.seq, hash: eventHash(event), time: event.time };
    opts.progress?.(offset, total);
  }
  opts.progress?.(total, total);
  return head;
}
