import type { FileHandle } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { errChain, osError } from '../errors.ts';
import { Chain } from '../journal/chain.ts';
import { openExisting } from '../journal/fsutil.ts';
import type { JournalEvent } from '../journal/record.ts';
import { scan } from '../journal/scan.ts';

export interface FollowOptions {
  /** following stops, cleanly, when this aborts (the CLI aborts on SIGINT) */
  signal: AbortSignal;
  /** how often the file size is polled, in ms (default 200) */
  intervalMs?: number;
}

export type FollowItem =
  | { kind: 'event'; event: JournalEvent & { offset: number } }
  /** everything written so far has been read: the journal ends at `seq` for now */
  | { kind: 'idle'; seq: number };

/**
 * The one journal follower (`log --follow`, the daemon's streams, the
 * shipper): every record, then every record appended later, until `signal`
 * aborts, with an `idle` marker each time the reader has caught up.
 * Read-only and lock-free: a torn tail is an append in progress, so it is
 * waited for, not reported; each record's CRC and chain link are checked, and
 * corruption or a chain break throws (ECORRUPT, ECHAIN), as does a journal
 * that shrinks while followed.
 */
export async function* followJournal(file: string, opts: FollowOptions): AsyncGenerator<FollowItem> {
  let fh: FileHandle;
  try {
    fh = await openExisting(file, false);
  } catch (err) {
    throw osError('open', file, err);
  }
  const chain = new Chain();
  let end = 0; // just past the last whole record
  let scanned = -1; // the file size at the last scan
  try {
    while (!opts.signal.aborted) {
      const size = await sizeOf(fh, file);
      if (size < end) {
        const why = `journal shrank from ${end} to ${size} bytes while following`;
        throw errChain(`${file}: ${why}`, { file, offset: size });
      }
      if (size !== scanned) {
        scanned = size;
        for await (const item of scan(fh, file, end, chain)) {
          if (item.kind === 'torn') break;
          end = item.end;
          yield { kind: 'event', event: Object.assign(item.event, { offset: item.offset }) };
        }
        continue; // more may have landed while these were read
      }
      yield { kind: 'idle', seq: chain.seq };
      await pause(opts);
    }
  } finally {
    await fh.close();
  }
}

/** The events alone, as `log --follow` and the daemon's streams read them. */
export async function* followEvents(
  file: string,
  opts: FollowOptions,
): AsyncGenerator<JournalEvent & { offset: number }> {
  for await (const item of followJournal(file, opts)) if (item.kind === 'event') yield item.event;
}

async function pause({ signal, intervalMs = 200 }: FollowOptions): Promise<void> {
  await sleep(intervalMs, undefined, { signal }).catch((err: unknown) => {
    if (!(err instanceof Error && err.name === 'AbortError')) throw err;
  });
}

async function sizeOf(fh: FileHandle, file: string): Promise<number> {
  try {
    return (await fh.stat()).size;
  } catch (err) {
    throw osError('stat', file, err);
  }
}
