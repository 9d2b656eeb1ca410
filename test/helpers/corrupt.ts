/**
 * Damage a file the way disks and crashes do. Frame helpers are written out
 * here rather than imported from src, so a bug shared by encoder and decoder
 * cannot hide from the tests.
 */
import { createHash } from 'node:crypto';
import { open, readFile, truncate } from 'node:fs/promises';
import { crc32 } from 'node:zlib';

/** Cuts the file to its first `n` bytes. */
export async function truncateAt(file: string, n: number): Promise<void> {
  await truncate(file, n);
}

/** Flips one bit of the byte at `offset`. */
export async function flipBit(file: string, offset: number, bit = 0): Promise<void> {
  await patch(file, offset, 1, (b) => {
    b.writeUInt8(b.readUInt8(0) ^ (1 << bit), 0);
  });
}

/** Zeroes a sector-sized run of bytes, as a lost or unwritten disk block reads. */
export async function zeroSector(file: string, offset: number, size = 512): Promise<void> {
  await patch(file, offset, size, (b) => b.fill(0));
}

/** Appends `n` zero bytes, like blocks allocated but never written before a crash. */
export async function appendZeros(file: string, n: number): Promise<void> {
  const fh = await open(file, 'a');
  try {
    await fh.write(Buffer.alloc(n));
  } finally {
    await fh.close();
  }
}

/** Appends raw bytes. */
export async function appendBytes(file: string, bytes: Uint8Array): Promise<void> {
  const fh = await open(file, 'a');
  try {
    await fh.write(bytes);
  } finally {
    await fh.close();
  }
}

/** A frame with a correct length and CRC around any body. */
export function frame(body: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32LE(body.length, 0);
  head.writeUInt32LE(crc32(body), 4);
  return Buffer.concat([head, body]);
}

export interface FrameInfo {
  offset: number;
  size: number;
  body: Buffer;
}

/** Walks the length fields of an undamaged journal. */
export async function frames(file: string): Promise<FrameInfo[]> {
  const buf = await readFile(file);
  const out: FrameInfo[] = [];
  for (let off = 0; off + 8 <= buf.length;) {
    const len = buf.readUInt32LE(off);
    out.push({ offset: off, size: 8 + len, body: buf.subarray(off + 8, off + 8 + len) });
    off += 8 + len;
  }
  return out;
}

export function sha256(body: Uint8Array): string {
  return createHash('sha256').update(body).digest('hex');
}

async function patch(file: string, offset: number, size: number, fn: (b: Buffer) => void): Promise<void> {
  const fh = await open(file, 'r+');
  try {
    const b = Buffer.alloc(size);
    const { bytesRead } = await fh.read(b, 0, size, offset);
    if (bytesRead !== size) throw new Error(`patch: only ${bytesRead} of ${size} bytes at ${offset}`);
    fn(b);
    await fh.write(b, 0, size, offset);
  } finally {
    await fh.close();
  }
}
