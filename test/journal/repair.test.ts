import assert from 'node:assert/strict';
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { open, readFile, stat, writeFile } from 'node:fs/promises';
import { test } from 'node:test';
import { readEvents } from '../../src/journal/reader.ts';
import type { JournalEvent } from '../../src/journal/record.ts';
import { truncateAtCorruption } from '../../src/journal/repair.ts';
import { JournalWriter } from '../../src/store/session/journal-writer.ts';
import { flipBit, frames } from '../helpers/corrupt.ts';
import { journalPath, nth } from './support.ts';
import { tempDir } from '../helpers/temp.ts';

async function fiveRecords(file: string): Promise<JournalEvent[]> {
  const w = await JournalWriter.open(file);
  const out: JournalEvent[] = [];
  for (let i = 0; i < 5; i++) out.push(await w.append({ op: 'store', sandbox: 'sb1', payload: `p${i}` }));
  await w.close();
  return out;
}

test('journal - truncateAtCorruption keeps the good prefix and writes .broken', async (t) => {
  const dir = await tempDir(t, 'journal');
  const file = journalPath(dir);
  const events = await fiveRecords(file);
  const fr = await frames(file);
  await flipBit(file, nth(fr, 3).offset + 12);
  const damaged = await readFile(file);

  const result = await truncateAtCorruption(file);
  assert.deepEqual(result, {
    broken: `${file}.broken`,
    offset: nth(fr, 3).offset,
    bytesRemoved: damaged.length - nth(fr, 3).offset,
    seq: 3,
  });
  assert.deepEqual(await readFile(`${file}.broken`), damaged);
  assert.deepEqual(await readFile(file), damaged.subarray(0, nth(fr, 3).offset));
  assert.equal((await stat(`${file}.broken`)).mode & 0o777, 0o600);

  const w = await JournalWriter.open(file);
  assert.equal(w.seq, 3);
  assert.equal(w.head, nth(events, 3).prev);
  assert.equal((await w.append({ op: 'store', sandbox: 'sb1' })).seq, 4);
  await w.close();
  const read: JournalEvent[] = [];
  for await (const { offset: _o, ...e } of readEvents(file)) read.push(e);
  assert.deepEqual(read.slice(0, 3), events.slice(0, 3));
});

test('journal - truncateAtCorruption leaves a sound journal alone and keeps earlier .broken copies', async (t) => {
  const dir = await tempDir(t, 'journal');
  const file = journalPath(dir);
  await fiveRecords(file);
  const sound = await readFile(file);
  assert.deepEqual(await truncateAtCorruption(file), { broken: null, offset: sound.length, bytesRemoved: 0, seq: 5 });
  assert.deepEqual(await readFile(file), sound);

  await writeFile(`${file}.broken`, 'older evidence');
  const fr = await frames(file);
  await flipBit(file, nth(fr, 1).offset + 20);
  const result = await truncateAtCorruption(file);
  assert.equal(result.broken, `${file}.broken.1`);
  assert.equal(result.seq, 1);
  assert.equal(await readFile(`${file}.broken`, 'utf8'), 'older evidence');
  assert.equal((await stat(file)).size, nth(fr, 1).offset);
});

/**
 * Makes `method` misbehave once, for the duration of `fn`: the journal writes
 * with fs.writeSync (patched through the builtin's ESM bindings) and syncs
 * with FileHandle.datasync.
 */
type AnyFn = (this: unknown, ...args: unknown[]) => unknown;

async function failOnce(
  method: 'writeSync' | 'datasync',
  fault: (orig: AnyFn, self: unknown, args: unknown[]) => unknown,
  fn: () => Promise<void>,
) {
  let proto: object = fs;
  if (method === 'datasync') {
    const probe = await open(process.execPath, 'r');
    proto = Object.getPrototypeOf(probe) as object;
    await probe.close();
  }
  const orig = Reflect.get(proto, method) as AnyFn;
  let fired = false;
  const patched: AnyFn = function (this: unknown, ...args: unknown[]) {
    if (fired) return orig.apply(this, args);
    fired = true;
    return fault(orig, this, args);
  };
  Reflect.set(proto, method, patched);
  syncBuiltinESMExports();
  try {
    await fn();
  } finally {
    Reflect.set(proto, method, orig);
    syncBuiltinESMExports();
  }
  assert.ok(fired, `${method} was never called`);
}

const errno = (code: string) => Object.assign(new Error(`${code}: simulated`), { code });

test('journal - a failed append is rolled back and the writer stays usable', async (t) => {
  const dir = await tempDir(t, 'journal');
  const file = journalPath(dir);
  const events = await fiveRecords(file);
  const w = await JournalWriter.open(file);
  const before = await readFile(file);

  // Half the frame reaches the file, then the disk is full.
  await failOnce(
    'writeSync',
    (orig, self, [fd, buf, off, len]) => {
      orig.call(self, fd, buf, off, Math.floor((len as number) / 2));
      throw errno('ENOSPC');
    },
    async () => {
      await assert.rejects(w.append({ op: 'store', sandbox: 'sb1', payload: 'lost' }), { code: 'ENOSPC', file });
    },
  );
  assert.deepEqual(await readFile(file), before);
  assert.equal(w.seq, 5);

  // The whole frame is written but fdatasync reports an I/O error.
  await failOnce(
    'datasync',
    () => Promise.reject(errno('EIO')),
    async () => {
      await assert.rejects(w.append({ op: 'store', sandbox: 'sb1', payload: 'lost' }), { code: 'EIO', file });
    },
  );
  assert.deepEqual(await readFile(file), before);

  const next = await w.append({ op: 'store', sandbox: 'sb1', payload: 'kept' });
  assert.equal(next.seq, 6);
  await w.close();
  const read: JournalEvent[] = [];
  for await (const { offset: _o, ...e } of readEvents(file)) read.push(e);
  assert.deepEqual(read, [...events, next]);
});
