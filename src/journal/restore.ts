import { constants } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { errCorrupt, errUsage, osError } from '../errors.ts';
import { Chain } from './chain.ts';
import { encodeFrame } from './encoder.ts';
import { ensureDir, fsyncDir } from './fsutil.ts';
import { decodeBody } from './record.ts';

const BATCH = 1024 * 1024;

/**
 * Writes a new journal from record bodies kept elsewhere (a stream, an
 * archive): each body is checked as a reader checks it (schema, sequence,
 * chain) and framed unchanged, so the records are byte for byte the original
 * ones. Refuses a journal that already exists; synced before it returns.
 */
export async function writeJournal(
  file: string,
  bodies: AsyncIterable<Uint8Array>,
): Promise<{ seq: number; head: string }> {
  await ensureDir(dirname(file));
  const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW } = constants;
  const fh = await open(file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'EEXIST')
      throw errUsage(`${file} exists: a journal is only restored where there is none`, { file });
    throw osError('open', file, err);
  });
  const chain = new Chain();
  let pending: Buffer[] = [];
  let bytes = 0;
  let offset = 0;
  const flush = async () => {
    const buf = Buffer.concat(pending);
    await fh.write(buf, 0, buf.length).catch((err) => Promise.reject(osError('write', file, err)));
    pending = [];
    bytes = 0;
  };
  try {
    for await (const raw of bodies) {
      const body = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
      const decoded = decodeBody(body);
      if (!('event' in decoded)) {
        throw errCorrupt(`${file}: record ${chain.seq + 1} to restore: ${decoded.why}`, {
          file,
          offset,
          cause: decoded.cause,
        });
      }
      chain.accept(decoded.event, body, file, offset);
      const frame = encodeFrame(body);
      pending.push(frame);
      bytes += frame.length;
      offset += frame.length;
      if (bytes >= BATCH) await flush();
    }
    await flush();
    await fh.sync();
  } catch (err) {
    // Half a history is not a journal to leave behind: the file was ours alone (O_EXCL).
    await fh.close();
    await rm(file, { force: true });
    throw err;
  }
  await fh.close();
  await fsyncDir(dirname(file));
  return { seq: chain.seq, head: chain.head };
}
