import type { FileHandle } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import type { Chain } from './chain.ts';
import { checkTornBody, corrupt, firstNonZero } from './decoder.ts';
import { HEADER_SIZE, MAX_BODY } from './encoder.ts';
import { decodeBody, type JournalEvent } from './record.ts';
import { parseTrusted } from './trusted.ts';
import { osError } from '../errors.ts';

/** Reads are this big unless one record needs more; memory stays near it. */
export const CHUNK_SIZE = 1024 * 1024;

export interface ScanOptions {
  /** bytes per read (tests make it small to cross every boundary) */
  chunkSize?: number;
  /**
   * Check every record against the full schema, as `verify` does (the
   * default). `false` for replay and open: a record whose CRC and chain
   * verify is then only checked for what a reader relies on (trusted.ts),
   * since the writer checked the schema before writing it.
   */
  checkSchema?: boolean;
}

export interface TornTail {
  offset: number;
  bytes: number;
}

export type ScanItem =
  { kind: 'record'; event: JournalEvent; offset: number; end: number } | ({ kind: 'torn' } & TornTail);

/** Told of each record once its frame, body and chain check out; `false` stops the scan there. */
export type Visit = (event: JournalEvent, offset: number, end: number) => boolean | undefined;

/**
 * Streams the records from `start` to the file's size at call time, checking
 * each against `chain` (which advances). The last item may be a torn tail;
 * corruption and chain breaks throw, after every record before them.
 * Records are decoded a window at a time: one await per read, not per record.
 */
export async function* scan(
  fh: FileHandle,
  file: string,
  start: number,
  chain: Chain,
  opts: ScanOptions = {},
): AsyncGenerator<ScanItem> {
  const frames = await Frames.open(fh, file, start, chain, opts);
  for (;;) {
    const batch: ScanItem[] = [];
    let failed = false;
    let failure: unknown;
    try {
      frames.decodeWindow((event, offset, end) => void batch.push({ kind: 'record', event, offset, end }));
    } catch (err) {
      failed = true;
      failure = err;
    }
    yield* batch;
    if (failed) throw failure;
    const next = await frames.advance();
    if (next === 'more') continue;
    if (next !== 'end') yield { kind: 'torn', ...next };
    return;
  }
}

/**
 * The same scan without an async step or an item object per record: `visit`
 * is called synchronously for each, in order. Resolves with the torn tail
 * that ended it, if any; rejects on damage after visiting every record
 * before it. Errors thrown by `visit` reach the caller unchanged.
 */
export async function scanEach(
  fh: FileHandle,
  file: string,
  start: number,
  chain: Chain,
  visit: Visit,
  opts: ScanOptions = {},
): Promise<TornTail | undefined> {
  const frames = await Frames.open(fh, file, start, chain, opts);
  for (;;) {
    if (!frames.decodeWindow(visit)) return undefined;
    const next = await frames.advance();
    if (next === 'end') return undefined;
    if (next !== 'more') return next;
  }
}

/** A window over the file, refilled in place, and the offset of the next frame in it. */
class Frames {
  readonly #fh: FileHandle;
  readonly #file: string;
  readonly #chain: Chain;
  readonly #chunkSize: number;
  readonly #checkSchema: boolean;
  #size: number;
  #buf: Buffer = Buffer.alloc(0); // reused from read to read: nothing keeps a view of it
  #len = 0; // bytes of #buf that hold file data
  #base: number; // file offset of #buf[0]
  #off: number; // file offset of the next frame

  private constructor(fh: FileHandle, file: string, start: number, chain: Chain, size: number, opts: ScanOptions) {
    this.#fh = fh;
    this.#file = file;
    this.#chain = chain;
    this.#chunkSize = opts.chunkSize ?? CHUNK_SIZE;
    this.#checkSchema = opts.checkSchema ?? true;
    this.#size = size;
    this.#base = start;
    this.#off = start;
  }

  static async open(fh: FileHandle, file: string, start: number, chain: Chain, opts: ScanOptions): Promise<Frames> {
    return new Frames(fh, file, start, chain, await sizeOf(fh, file), opts);
  }

  /**
   * Decodes every whole frame in the window; stops at the first it cannot
   * read whole, which `advance` then deals with. False when `visit` stopped it.
   */
  decodeWindow(visit: Visit): boolean {
    const buf = this.#buf;
    const len = this.#len;
    let pos = this.#off - this.#base;
    for (;;) {
      if (len - pos < HEADER_SIZE) return true;
      const length = buf.readUInt32LE(pos);
      const end = pos + HEADER_SIZE + length;
      if (length === 0 || length > MAX_BODY || end > len) return true;
      const body = buf.subarray(pos + HEADER_SIZE, end);
      const offset = this.#off;
      if (crc32(body) !== buf.readUInt32LE(pos + 4)) throw corrupt(this.#file, offset, 'CRC mismatch');
      const event = this.#decode(body, offset);
      this.#chain.accept(event, body, this.#file, offset);
      this.#off = offset + HEADER_SIZE + length;
      pos = end;
      if (visit(event, offset, this.#off) === false) return false;
    }
  }

  /** At a frame the window does not hold whole: reads on, or says how the file ends. */
  async advance(): Promise<'more' | 'end' | TornTail> {
    const pos = this.#off - this.#base;
    const avail = this.#len - pos;
    const eof = this.#base + this.#len >= this.#size;
    if (avail === 0 && eof) return 'end';
    if (avail < HEADER_SIZE) return eof ? this.#torn(avail) : this.#refill(HEADER_SIZE);
    const length = this.#buf.readUInt32LE(pos);
    if (length === 0) {
      // A zero length is preallocated space only if nothing but zeros follows it.
      await assertZerosToEnd(this.#fh, this.#file, this.#off, this.#size, this.#chunkSize);
      return this.#torn(this.#size - this.#off);
    }
    if (length > MAX_BODY) throw corrupt(this.#file, this.#off, `impossible length ${length}`);
    if (avail >= HEADER_SIZE + length) return 'more'; // decodeWindow reads it
    if (!eof) return this.#refill(HEADER_SIZE + length);
    const crc = this.#buf.readUInt32LE(pos + 4);
    checkTornBody(this.#buf.subarray(pos + HEADER_SIZE, this.#len), crc, this.#file, this.#off);
    return this.#torn(avail);
  }

  #torn(bytes: number): TornTail {
    return { offset: this.#off, bytes };
  }

  #decode(body: Buffer, offset: number): JournalEvent {
    if (this.#checkSchema) {
      const decoded = decodeBody(body);
      if ('why' in decoded) throw corrupt(this.#file, offset, decoded.why, decoded.cause);
      return decoded.event;
    }
    const event = parseTrusted(body);
    if (typeof event === 'string') throw corrupt(this.#file, offset, event);
    return event;
  }

  /** Moves the unread bytes to the front and reads up to a chunk more (at least `need` bytes from the boundary). */
  async #refill(need: number): Promise<'more'> {
    const keep = this.#len - (this.#off - this.#base);
    const want = Math.min(Math.max(this.#chunkSize, need - keep), this.#size - this.#off - keep);
    if (this.#buf.length < keep + want) {
      const bigger = Buffer.allocUnsafe(keep + want);
      this.#buf.copy(bigger, 0, this.#len - keep, this.#len);
      this.#buf = bigger;
    } else {
      this.#buf.copyWithin(0, this.#len - keep, this.#len);
    }
    this.#base = this.#off;
    let got = 0;
    while (got < want) {
      const n = await readAt(this.#fh, this.#file, this.#buf.subarray(keep + got, keep + want), this.#off + keep + got);
      if (n === 0) break;
      got += n;
    }
    this.#len = keep + got;
    if (got < want) this.#size = this.#base + this.#len; // shrank under us: end here
    return 'more';
  }
}

/** Every byte of `[from, size)` must be zero. */
async function assertZerosToEnd(fh: FileHandle, file: string, from: number, size: number, chunkSize: number) {
  const buf = Buffer.allocUnsafe(Math.min(chunkSize, Math.max(size - from, 1)));
  for (let pos = from; pos < size;) {
    const bytesRead = await readAt(fh, file, buf.subarray(0, Math.min(buf.length, size - pos)), pos);
    if (bytesRead === 0) return;
    const i = firstNonZero(buf.subarray(0, bytesRead));
    if (i >= 0) throw corrupt(file, from, `zero length followed by a non-zero byte at offset ${pos + i}`);
    pos += bytesRead;
  }
}

// I/O errors become StoreErrors here, so callers can let everything else
// (their own callbacks' errors included) pass through untouched.
async function readAt(fh: FileHandle, file: string, into: Buffer, pos: number): Promise<number> {
  try {
    return (await fh.read(into, 0, into.length, pos)).bytesRead;
  } catch (err) {
    throw osError('read', file, err);
  }
}

async function sizeOf(fh: FileHandle, file: string): Promise<number> {
  try {
    return (await fh.stat()).size;
  } catch (err) {
    throw osError('stat', file, err);
  }
}
