import { constants } from 'node:fs';
import { copyFile, open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { isStoreError, osError } from '../errors.ts';
import { silentLogger, type Logger } from '../log.ts';
import { Chain } from './chain.ts';
import { fsyncDir, openExisting } from './fsutil.ts';
import { scan } from './scan.ts';

/**
 * Cuts an unfinished append off the end. Only ever called for a torn tail,
 * which holds no acknowledged record, so nothing is copied aside.
 */
export async function truncateTornTail(
  fh: FileHandle,
  file: string,
  torn: { offset: number; bytes: number },
  log: Logger,
): Promise<void> {
  try {
    await fh.truncate(torn.offset);
    await fh.datasync();
  } catch (err) {
    throw osError('truncate', file, err);
  }
  log.warn({ file, offset: torn.offset, bytes: torn.bytes }, 'truncated torn tail');
}

export interface CorruptionRepair {
  /** Where the damaged original was copied, null when nothing was cut. */
  broken: string | null;
  /** End of the last good record: the file's new size. */
  offset: number;
  bytesRemoved: number;
  /** Sequence number of the last good record, 0 when none. */
  seq: number;
}

/**
 * For the recover command: copies the file to `<file>.broken` (or
 * `.broken.N` if that exists, so earlier evidence is kept), then cuts the
 * journal back to the last record that reads and chains. Callers must hold
 * the sandbox lock.
 */
export async function truncateAtCorruption(file: string, opts: { log?: Logger } = {}): Promise<CorruptionRepair> {
  const log = opts.log ?? silentLogger;
  let fh: FileHandle | undefined;
  try {
    fh = await openExisting(file, true);
    const size = (await fh.stat()).size;
    const { end, seq } = await lastGoodEnd(fh, file);
    if (end === size) return { broken: null, offset: end, bytesRemoved: 0, seq };
    const broken = await copyAside(file);
    await fh.truncate(end);
    await fh.sync();
    log.warn({ file, offset: end, bytes: size - end, broken }, 'truncated damaged journal');
    return { broken, offset: end, bytesRemoved: size - end, seq };
  } catch (err) {
    throw osError('repair', file, err);
  } finally {
    await fh?.close();
  }
}

async function lastGoodEnd(fh: FileHandle, file: string): Promise<{ end: number; seq: number }> {
  const chain = new Chain();
  let end = 0;
  try {
    // The recover command cuts at the first record `verify` calls damaged: the full schema is checked.
    for await (const item of scan(fh, file, 0, chain, { checkSchema: true })) {
      if (item.kind === 'torn') break;
      end = item.end;
    }
  } catch (err) {
    if (!(isStoreError(err, 'ECORRUPT') || isStoreError(err, 'ECHAIN'))) throw err;
  }
  return { end, seq: chain.seq };
}

async function copyAside(file: string): Promise<string> {
  for (let n = 0; ; n++) {
    const dest = n === 0 ? `${file}.broken` : `${file}.broken.${n}`;
    try {
      await copyFile(file, dest, constants.COPYFILE_EXCL);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST' && n < 1000) continue;
      throw err;
    }
    const copy = await open(dest, 'r+');
    try {
      await copy.sync();
    } finally {
      await copy.close();
    }
    // The copy must be durable before the original loses its tail.
    await fsyncDir(dirname(file));
    return dest;
  }
}
