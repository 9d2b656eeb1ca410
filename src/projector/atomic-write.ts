import { constants } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { failpoint } from '../failpoints.ts';

export const TEMP_MARK = '.vcstore-tmp-';
let counter = 0;

/**
 * Writes a file so that a reader sees the old bytes or the new ones, never a
 * torn or empty file: a temp file in the same folder, renamed over the target.
 * No fsync here: the journal is the durable copy, and opening a sandbox
 * rewrites any file that lost its bytes in a power failure.
 */
export async function writeFileAtomic(file: string, content: string): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}${TEMP_MARK}${process.pid}-${++counter}`);
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
  const handle = await open(tmp, flags, 0o666);
  try {
    try {
      await handle.writeFile(content);
    } finally {
      await handle.close();
    }
    failpoint('temp-written');
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}
