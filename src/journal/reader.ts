import type { FileHandle } from 'node:fs/promises';
import { silentLogger, type Logger } from '../log.ts';
import { Chain } from './chain.ts';
import { openExisting } from './fsutil.ts';
import type { JournalEvent } from './record.ts';
import { scan, scanEach, type TornTail, type Visit } from './scan.ts';
import { osError } from '../errors.ts';

export interface ReadOptions {
  log?: Logger;
  onTornTail?: (t: { offset: number; bytes: number }) => void;
  /** check every record against the full schema, as `verify` does (CRC and chain are always checked) */
  checkSchema?: boolean;
}

/**
 * Streams a journal's events, checking frame and chain (and the schema with
 * `checkSchema`), without a lock and without ever writing: a torn tail ends
 * the iteration and is reported, corruption throws, a missing file yields
 * nothing.
 */
export async function* readEvents(
  file: string,
  opts: ReadOptions = {},
): AsyncGenerator<JournalEvent & { offset: number }> {
  const fh = await openForRead(file);
  if (fh === undefined) return;
  try {
    for await (const item of scan(fh, file, 0, new Chain(), { checkSchema: opts.checkSchema ?? false })) {
      if (item.kind === 'torn') {
        tornTail(file, item, opts);
        return;
      }
      // The event was just parsed and is nobody else's: tag it rather than copy it.
      yield Object.assign(item.event, { offset: item.offset });
    }
  } finally {
    await fh.close();
  }
}

/**
 * The same read for a caller that handles each event synchronously (a
 * replay): no async step and no object per event beyond the event itself.
 * `visit` returning `false` stops the read there.
 */
export async function eachEvent(file: string, visit: Visit, opts: ReadOptions = {}): Promise<void> {
  const fh = await openForRead(file);
  if (fh === undefined) return;
  try {
    const torn = await scanEach(fh, file, 0, new Chain(), visit, { checkSchema: opts.checkSchema ?? false });
    if (torn) tornTail(file, torn, opts);
  } finally {
    await fh.close();
  }
}

async function openForRead(file: string): Promise<FileHandle | undefined> {
  try {
    return await openExisting(file, false);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw osError('open', file, err);
  }
}

function tornTail(file: string, torn: TornTail, opts: ReadOptions): void {
  (opts.log ?? silentLogger).info({ file, offset: torn.offset, bytes: torn.bytes }, 'torn tail ignored');
  opts.onTornTail?.({ offset: torn.offset, bytes: torn.bytes });
}
