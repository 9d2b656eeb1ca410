import { crc32 } from 'node:zlib';

/** Length (u32 LE) then CRC-32 of the body (u32 LE). */
export const HEADER_SIZE = 8;

/** Anything longer is a damaged length field, not a record. */
export const MAX_BODY = 64 * 1024 * 1024;

/** One frame, header and body in a single buffer so it goes out in one write. */
export function encodeFrame(body: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(HEADER_SIZE + body.length);
  frame.writeUInt32LE(body.length, 0);
  frame.writeUInt32LE(crc32(body), 4);
  frame.set(body, HEADER_SIZE);
  return frame;
}
