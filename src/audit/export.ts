import stringify from 'fast-json-stable-stringify';
import { readEvents } from '../journal/reader.ts';
import type { ReplayOptions as AuditOptions } from '../projector/replay.ts';
import { journalSize } from './journal-size.ts';

/**
 * A journal's events as JSON lines (without the newline), each exactly the
 * record body the journal stores and hashes: keys sorted, compact. The lines
 * can be archived, shipped and checked against a recorded head.
 */
export async function* exportEvents(file: string, opts: AuditOptions = {}): AsyncGenerator<string> {
  const total = opts.progress ? await journalSize(file) : 0;
  for await (const { offset, ...event } of readEvents(file, opts)) {
    opts.progress?.(offset, total);
    yield stringify(event);
  }
  opts.progress?.(total, total);
}
