import type { FileHandle } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import { corrupt } from './decoder.ts';
import { HEADER_SIZE, MAX_BODY } from './encoder.ts';
import { CHUNK_SIZE } from './scan.ts';
import { errUsage, osError, type StoreError } from '../errors.ts';
import type { Logger } from '../log.ts';

/**
 * The check of a journal's prefix `[0, checkpoint)` that a writer resuming
 * from a checkpoint runs beside its work: started once the open's own work is
 * done (or by the first append, if that comes first), and the writer appends
 * nothing until it has passed (docs/recovery.md, "Opening from a checkpoint").
 * Damage is logged the moment it is found and raised by every `passed()`
 * after it, so no append follows a damaged stretch that its writer has not
 * reported.
 */
export class PrefixCheck {
  #stopped = false;
  #failure: StoreError | undefined;
  #settled: Promise<void> | undefined; // settles (never rejects) when the check has passed, failed or been stopped

  constructor(
    private readonly fh: FileHandle,
    private readonly file: string,
    private readonly end: number,
    private readonly log: Logger,
  ) {}

  /**
   * Starts the check (once). Not at construction: its CRCs run on the same
   * thread as the open's replay and rebuild, and would only slow them down.
   */
  start(): Promise<void> {
    const { file, log } = this;
    this.#settled ??= verifyPrefix(this.fh, file, this.end, () => this.#stopped).then(
      () => {
        if (this.#stopped) this.#failure = errUsage(`${file}: journal writer is closed`, { file });
      },
      (err: StoreError) => {
        this.#failure = err;
        if (this.#stopped) return; // a close raced the read: nothing was found
        log.error({ file, offset: err.offset, err }, 'journal damaged before its checkpoint: appends refused');
      },
    );
    return this.#settled;
  }

  /** Resolves once the prefix is whole; throws the damage (or read error) the check found. */
  async passed(): Promise<void> {
    await this.start();
    if (this.#failure) throw this.#failure;
  }

  /** Ends the check at its next read, before the file is closed under it. */
  stop(): Promise<void> {
    this.#stopped = true;
    return this.#settled ?? Promise.resolve();
  }
}

/**
 * Checks the frames of `[0, end)` without decoding them: every length and
 * every CRC, so that a writer resuming from a checkpoint never appends to a
 * journal damaged (bit rot, a torn sector) before it. It costs a sequential
 * read and a CRC per record, not a replay. The hash chain of those records
 * is not recomputed here (a SHA-256 per record would cost most of a replay):
 * the checkpoint event that ends the prefix is itself chained, and `verify`
 * checks every link. `stopped` is asked before each read.
 */
export async function verifyPrefix(
  fh: FileHandle,
  file: string,
  end: number,
  stopped: () => boolean = () => false,
): Promise<void> {
  let win: Buffer = Buffer.alloc(0);
  let base = 0; // file offset of win[0]
  for (let off = 0; off < end;) {
    if (off + HEADER_SIZE > base + win.length) {
      if (stopped()) return;
      ({ win, base } = await window(fh, file, off, HEADER_SIZE, end));
    }
    const length = win.readUInt32LE(off - base);
    const crc = win.readUInt32LE(off - base + 4);
    if (length === 0 || length > MAX_BODY || off + HEADER_SIZE + length > end)
      throw corrupt(file, off, `impossible length ${length}`);
    const size = HEADER_SIZE + length;
    if (off + size > base + win.length) {
      if (stopped()) return;
      ({ win, base } = await window(fh, file, off, size, end));
    }
    const body = win.subarray(off - base + HEADER_SIZE, off - base + size);
    if (crc32(body) !== crc) throw corrupt(file, off, 'CRC mismatch');
    off += size;
  }
}

/** A window of the file from `off` holding at least `need` bytes (and up to a chunk, not past `end`). */
async function window(
  fh: FileHandle,
  file: string,
  off: number,
  need: number,
  end: number,
): Promise<{ win: Buffer; base: number }> {
  const want = Math.min(Math.max(need, CHUNK_SIZE), end - off);
  const buf = Buffer.allocUnsafe(want);
  let got = 0;
  while (got < want) {
    let n: number;
    try {
      n = (await fh.read(buf, got, want - got, off + got)).bytesRead;
    } catch (err) {
      throw osError('read', file, err);
    }
    if (n === 0) break;
    got += n;
  }
  if (got < need) throw corrupt(file, off, 'the file ends before its checkpoint');
  return { win: buf.subarray(0, got), base: off };
}
