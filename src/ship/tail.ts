import type { FileHandle } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import stringify from 'fast-json-stable-stringify';
import { StoreError } from '../errors.ts';
import { Chain } from '../journal/chain.ts';
import { asStoreError, openExisting } from '../journal/fsutil.ts';
import type { JournalEvent } from '../journal/record.ts';
import { scan } from '../journal/scan.ts';

export type TailItem =
  | { kind: 'event'; event: JournalEvent; body: Buffer }
  /** everything written so far has been read: the journal ends at `seq` for now */
  | { kind: 'idle'; seq: number };

/**
 * A journal's records, then the ones appended later, as `log --follow` reads
 * them (read-only, no lock, a torn tail waited for), with a marker each time
 * the reader reaches the end. Each record's CRC and chain link are checked
 * before it is yielded; a bad one throws ECORRUPT or ECHAIN.
 */
export async function* tailJournal(file: string, signal: AbortSignal, pollMs: number): AsyncGenerator<TailItem> {
  let fh: FileHandle;
  try {
    fh = await openExisting(file, false);
  } catch (err) {
    throw asStoreError('open', file, err);
  }
  const chain = new Chain();
  let end = 0;
  try {
    while (!signal.aborted) {
      const size = await fh.stat().then(
        (s) => s.size,
        (err) => Promise.reject(asStoreError('stat', file, err)),
      );
      if (size < end)
        throw new StoreError('ECHAIN', `${file}: journal shrank from ${end} to ${size} bytes while shipping`, {
          file,
          offset: size,
        });
      if (size > end) {
        for await (const item of scan(fh, file, end, chain)) {
          if (item.kind === 'torn') break;
          end = item.end;
          // The body the chain hashed: records are canonical, so re-encoding gives the stored bytes.
          const { event } = item;
          yield { kind: 'event', event, body: Buffer.from(stringify(event), 'utf8') };
        }
      }
      yield { kind: 'idle', seq: chain.seq };
      await sleep(pollMs, undefined, { signal }).catch(() => {});
    }
  } finally {
    await fh.close();
  }
}
