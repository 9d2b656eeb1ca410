import { crc32 } from 'node:zlib';
import { errCorrupt, type StoreError } from '../errors.ts';
import { HEADER_SIZE, MAX_BODY } from './encoder.ts';
import { decodeBody, type JournalEvent } from './record.ts';

/** What the bytes at one record boundary turned out to be. */
export type Decoded =
  | { kind: 'record'; event: JournalEvent; body: Buffer; size: number }
  | { kind: 'need'; bytes: number } // the window must hold this many bytes from the boundary
  | { kind: 'end' }
  | { kind: 'torn'; bytes: number }
  | { kind: 'zeros' }; // a zero length: torn only if every byte to end of file is zero

export function corrupt(file: string, offset: number, why: string, cause?: unknown): StoreError {
  return errCorrupt(`${file}: corrupt record at offset ${offset}: ${why}`, { file, offset, cause });
}

/** Index of the first byte that is not zero, or -1. */
export function firstNonZero(buf: Uint8Array): number {
  for (let i = 0; i < buf.length; i++) if (buf[i] !== 0) return i;
  return -1;
}

/**
 * Reads the frame at `win[pos]`, which is at file offset `offset`. `eof` says
 * whether the window ends at end of file, which is what separates "wait for
 * more bytes" from "torn tail".
 */
export function decodeFrame(win: Buffer, pos: number, eof: boolean, offset: number, file: string): Decoded {
  const avail = win.length - pos;
  if (avail === 0 && eof) return { kind: 'end' };
  if (avail < HEADER_SIZE) return eof ? { kind: 'torn', bytes: avail } : { kind: 'need', bytes: HEADER_SIZE };
  const length = win.readUInt32LE(pos);
  const crc = win.readUInt32LE(pos + 4);
  if (length === 0) return { kind: 'zeros' };
  if (length > MAX_BODY) throw corrupt(file, offset, `impossible length ${length}`);
  const size = HEADER_SIZE + length;
  if (avail < size) {
    if (!eof) return { kind: 'need', bytes: size };
    checkTornBody(win.subarray(pos + HEADER_SIZE), crc, file, offset);
    return { kind: 'torn', bytes: avail };
  }
  const body = win.subarray(pos + HEADER_SIZE, pos + size);
  if (crc32(body) !== crc) throw corrupt(file, offset, 'CRC mismatch');
  const decoded = decodeBody(body);
  if ('why' in decoded) throw corrupt(file, offset, decoded.why, decoded.cause);
  return { kind: 'record', event: decoded.event, body, size };
}

/**
 * An incomplete body at end of file is torn only if it could be the start of
 * the body its header announced. A damaged length field can make a whole
 * record, or the records after it, look like one long torn body; truncating
 * that would drop acknowledged records, so those shapes are corruption.
 */
export function checkTornBody(partial: Buffer, crc: number, file: string, offset: number): void {
  let end = partial.length;
  while (end > 0 && partial[end - 1] === 0) end--; // preallocated zeros after a torn write
  const present = partial.subarray(0, end);
  // Canonical JSON never holds a byte below 0x20; a frame header usually does.
  if (present.some((b) => b < 0x20)) {
    throw corrupt(file, offset, 'length runs past end of file over non-JSON bytes (damaged length?)');
  }
  if (present.length > 0 && crc32(present) === crc) {
    throw corrupt(file, offset, `length runs past end of file but the body is complete after ${end} bytes`);
  }
}
