import { closeSync, constants, fdatasyncSync, openSync, writeSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { Workload } from '../measure.ts';

/**
 * The limit: what the disk allows for one durable append at a time. A bare
 * loop of write + fdatasync of a record the size of a store event, through
 * the same Node file API the journal uses, with nothing else around it.
 */
export function limitLoop(name: string, dir: string, frameSize: number): Workload {
  const record = Buffer.alloc(frameSize, 0x61);
  let fh: FileHandle | undefined;
  return {
    name,
    async setup() {
      const flags = constants.O_RDWR | constants.O_APPEND | constants.O_CREAT;
      fh = await open(path.join(dir, `limit-${process.pid}-${name.replace(/\W+/g, '_')}.log`), flags, 0o600);
    },
    async run(n) {
      for (let i = 0; i < n; i++) {
        await fh!.write(record, 0, record.length);
        await fh!.datasync();
      }
    },
    async teardown() {
      await fh?.close();
    },
  };
}

const PREALLOCATED = 8 * 1024 * 1024;

/**
 * The same loop writing in place into a file whose blocks were written and
 * synced beforehand, wrapping around. fdatasync then has no file size or
 * extent to commit, only the data block: what SQLite gets from a WAL it
 * reuses, and what a journal with preallocated segments would get.
 */
export function overwriteLoop(name: string, dir: string, frameSize: number): Workload {
  const record = Buffer.alloc(frameSize, 0x61);
  const slots = Math.floor(PREALLOCATED / frameSize);
  let fh: FileHandle | undefined;
  let slot = 0;
  return {
    name,
    async setup() {
      fh = await open(path.join(dir, `overwrite-${process.pid}.log`), 'w+', 0o600);
      for (let off = 0; off < PREALLOCATED; off += 1024 * 1024)
        await fh.write(Buffer.alloc(1024 * 1024), 0, 1024 * 1024, off);
      await fh.sync();
    },
    async run(n) {
      for (let i = 0; i < n; i++) {
        await fh!.write(record, 0, record.length, (slot++ % slots) * frameSize);
        await fh!.datasync();
      }
    },
    async teardown() {
      await fh?.close();
    },
  };
}

/**
 * The append loop with synchronous calls: no thread-pool round trip per
 * call, as better-sqlite3 does its I/O. It blocks the event loop for the
 * whole sync, so it is a measure of what the round trips cost, not a design.
 */
export function syncLoop(name: string, dir: string, frameSize: number): Workload {
  const record = Buffer.alloc(frameSize, 0x61);
  let fd = -1;
  return {
    name,
    setup() {
      fd = openSync(
        path.join(dir, `sync-${process.pid}.log`),
        constants.O_RDWR | constants.O_APPEND | constants.O_CREAT,
        0o600,
      );
      return Promise.resolve();
    },
    run(n) {
      for (let i = 0; i < n; i++) {
        writeSync(fd, record, 0, record.length);
        fdatasyncSync(fd);
      }
      return Promise.resolve();
    },
    teardown() {
      if (fd >= 0) closeSync(fd);
      return Promise.resolve();
    },
  };
}
