import type { FileHandle } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { StoreError } from '../errors.ts';
import { Chain } from '../journal/chain.ts';
import { asStoreError, openExisting } from '../journal/fsutil.ts';
import type { JournalEvent } from '../journal/record.ts';
import { scan } from '../journal/scan.ts';

export interface FollowOptions {
  /** following stops, cleanly, when this aborts (the CLI aborts on SIGINT) */
  signal: AbortSignal;
  /** how often the file size is polled, in ms (default 200) */
  intervalMs?: number;
}

/**
 * Every event of a journal, then every event appended later, until `signal`
 * aborts. Read-only and lock-free: a torn tail is an append in progress, so
 * it is waited for, not reported; corruption and chain breaks throw.
 */
export async function* followEvents(
  file: string,
  opts: FollowOptions,
): AsyncGenerator<JournalEvent & { offset: number }> {
  let fh: FileHandle;
  try {
    fh = await openExisting(file, false);
  } catch (err) {
    throw asStoreError('open', file, err);
  }
  const chain = new Chain();
  let end = 0; // just past the last whole record
  let scanned = -1; // the file size at the last scan
  try {
    while (!opts.signal.aborted) {
      const size = await sizeOf(fh, file);
      if (size < end) {
        throw new StoreError('ECHAIN', `${file}: journal shrank from ${end} to ${size} bytes while following`, {
          file,
          offset: size,
        });
      }
      if (size === scanned) {
        await pause(opts);
        continue;
      }
      scanned = size;
      for await (const item of scan(fh, file, end, chain)) {
        if (item.kind === 'torn') break;
        end = item.end;
        yield { ...item.event, offset: item.offset };
      }
    }
  } finally {
    await fh.close();
  }
}

async function pause({ signal, intervalMs = 200 }: FollowOptions): Promise<void> {
  await sleep(intervalMs, undefined, { signal }).catch((err) => {
    if ((err as Error).name !== 'AbortError') throw err;
  });
}

async function sizeOf(fh: FileHandle, file: string): Promise<number> {
  try {
    return (await fh.stat()).size;
  } catch (err) {
    throw asStoreError('stat', file, err);
  }
}
