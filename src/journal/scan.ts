import type { FileHandle } from 'node:fs/promises';
import { asStoreError } from './fsutil.ts';
import type { Chain } from './chain.ts';
import { corrupt, decodeFrame, firstNonZero } from './decoder.ts';
import type { JournalEvent } from './record.ts';

/** Reads are this big unless one record needs more; memory stays near it. */
export const CHUNK_SIZE = 1024 * 1024;

export type ScanItem =
  | { kind: 'record'; event: JournalEvent; offset: number; end: number }
  | { kind: 'torn'; offset: number; bytes: number };

/**
 * Streams the records from `start` to the file's size at call time, checking
 * each against `chain` (which advances). The last item may be a torn tail;
 * corruption and chain breaks throw.
 */
export async function* scan(
  fh: FileHandle,
  file: string,
  start: number,
  chain: Chain,
  chunkSize = CHUNK_SIZE,
): AsyncGenerator<ScanItem> {
  let size = await sizeOf(fh, file);
  let win: Buffer = Buffer.alloc(0);
  let base = start; // file offset of win[0]
  let off = start; // file offset of the next frame
  for (;;) {
    const eof = base + win.length >= size;
    const d = decodeFrame(win, off - base, eof, off, file);
    if (d.kind === 'record') {
      chain.accept(d.event, d.body, file, off);
      off += d.size;
      yield { kind: 'record', event: d.event, offset: off - d.size, end: off };
    } else if (d.kind === 'need') {
      const keep = win.subarray(off - base);
      const want = Math.min(Math.max(chunkSize, d.bytes - keep.length), size - off - keep.length);
      win = await refill(fh, file, keep, off + keep.length, want);
      base = off;
      if (win.length < keep.length + want) size = base + win.length; // shrank under us: end here
    } else if (d.kind === 'zeros') {
      await assertZerosToEnd(fh, file, off, size, chunkSize);
      yield { kind: 'torn', offset: off, bytes: size - off };
      return;
    } else {
      if (d.kind === 'torn') yield { kind: 'torn', offset: off, bytes: d.bytes };
      return;
    }
  }
}

/** `keep` followed by up to `n` bytes read from `pos`. */
async function refill(fh: FileHandle, file: string, keep: Buffer, pos: number, n: number): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(keep.length + n);
  keep.copy(buf, 0);
  let got = 0;
  while (got < n) {
    const bytesRead = await readAt(fh, file, buf.subarray(keep.length + got, keep.length + n), pos + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return buf.subarray(0, keep.length + got);
}

/** A zero length is preallocated space only if nothing but zeros follows it. */
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
    throw asStoreError('read', file, err);
  }
}

async function sizeOf(fh: FileHandle, file: string): Promise<number> {
  try {
    return (await fh.stat()).size;
  } catch (err) {
    throw asStoreError('stat', file, err);
  }
}
