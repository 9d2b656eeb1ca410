import { closeSync, constants, fdatasyncSync, openSync, writeSync } from 'node:fs';
import { mkdir, open, rename, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { concurrently, type Workload } from '../measure.ts';

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

/** Zeros are written this far ahead of the records, as a preallocating journal would. */
const ZERO_STEP = 1024 * 1024;

/**
 * A store's I/O without its JavaScript, on `sandboxes` journals side by side
 * (one async loop each, as the stores suite's writers): the journal record
 * and its fdatasync, then (with `project`) the legacy file written to a temp
 * file and renamed over the old one. The disk's limit for the store's
 * pattern. With `preallocated` the record is written in place, in order,
 * into zeros written 1 MiB ahead of it, those writes included (Node has no
 * fallocate; an fallocated extent is "unwritten" on ext4, so its first write
 * commits an extent change anyway): what a preallocating journal would pay,
 * and whether it still wins once a rename shares the sync's file system
 * journal commit. With `runDir` the temp file and `state.json` are written
 * there (the host layout's run root, on a tmpfs) instead of beside the
 * journal.
 */
export function storeIoLoop(
  name: string,
  dir: string,
  frameSize: number,
  how: { preallocated: boolean; sandboxes: number; project: boolean; runDir?: string },
): Workload {
  const record = Buffer.alloc(frameSize, 0x61);
  const file = Buffer.alloc(73, 0x62);
  const zeros = Buffer.alloc(ZERO_STEP);
  const journals: Array<{ fh: FileHandle; folder: string; pos: number; zeroEnd: number; temps: number }> = [];
  return {
    name,
    async setup() {
      for (let k = 0; k < how.sandboxes; k++) {
        const journalFolder = path.join(dir, `sb${k}`);
        const folder = how.runDir === undefined ? journalFolder : path.join(how.runDir, `sb${k}`);
        await mkdir(journalFolder, { recursive: true });
        await mkdir(folder, { recursive: true });
        const fh = await open(path.join(journalFolder, 'journal.log'), how.preallocated ? 'w+' : 'a+', 0o600);
        journals.push({ fh, folder, pos: 0, zeroEnd: 0, temps: 0 });
      }
    },
    run: (n) =>
      concurrently(n, how.sandboxes, async (w) => {
        const j = journals[w]!;
        if (!how.preallocated) await j.fh.write(record, 0, record.length);
        else {
          if (j.pos + record.length > j.zeroEnd) {
            await j.fh.write(zeros, 0, zeros.length, j.zeroEnd);
            j.zeroEnd += zeros.length;
          }
          await j.fh.write(record, 0, record.length, j.pos);
          j.pos += record.length;
        }
        await j.fh.datasync();
        if (!how.project) return;
        const tmp = path.join(j.folder, `.state.json.tmp-${j.temps++}`);
        const fd = openSync(tmp, 'wx', 0o644);
        writeSync(fd, file);
        closeSync(fd);
        await rename(tmp, path.join(j.folder, 'state.json'));
      }),
    async teardown() {
      for (const j of journals) await j.fh.close();
    },
  };
}
