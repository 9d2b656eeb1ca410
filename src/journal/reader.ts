import type { FileHandle } from 'node:fs/promises';
import { silentLogger, type Logger } from '../log.ts';
import { Chain } from './chain.ts';
import { asStoreError, openExisting } from './fsutil.ts';
import type { JournalEvent } from './record.ts';
import { scan } from './scan.ts';

export interface ReadOptions {
  log?: Logger;
  onTornTail?: (t: { offset: number; bytes: number }) => void;
}

/**
 * Streams a journal's events, checking frame, schema and chain, without a lock
 * and without ever writing: a torn tail ends the iteration and is reported,
 * corruption throws, a missing file yields nothing.
 */
export async function* readEvents(
  file: string,
  opts: ReadOptions = {},
): AsyncGenerator<JournalEvent & { offset: number }> {
  let fh: FileHandle;
  try {
    fh = await openExisting(file, false);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw asStoreError('open', file, err);
  }
  try {
    for await (const item of scan(fh, file, 0, new Chain())) {
      if (item.kind === 'torn') {
        (opts.log ?? silentLogger).info({ file, offset: item.offset, bytes: item.bytes }, 'torn tail ignored');
        opts.onTornTail?.({ offset: item.offset, bytes: item.bytes });
        return;
      }
      // The event was just parsed and is nobody else's: tag it rather than copy it.
      yield Object.assign(item.event, { offset: item.offset });
    }
  } finally {
    await fh.close();
  }
}
