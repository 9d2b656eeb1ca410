import assert from 'node:assert/strict';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { test } from 'node:test';
import stringify from 'fast-json-stable-stringify';
import { StoreError } from '../../src/errors.ts';
import { readEvents } from '../../src/journal/reader.ts';
import { JournalWriter } from '../../src/store/session/journal-writer.ts';
import { flipBit, frame, frames, zeroSector, type FrameInfo } from '../helpers/corrupt.ts';
import { journalPath, nth } from './support.ts';
import { tempDir } from '../helpers/temp.ts';

/** Ten records of a few hundred bytes each, so a sector spans record boundaries. */
async function tenRecords(file: string): Promise<FrameInfo[]> {
  const w = await JournalWriter.open(file);
  for (let i = 0; i < 10; i++) await w.append({ op: 'store', sandbox: 'sb1', payload: `record ${i} `.repeat(30) });
  await w.close();
  return frames(file);
}

/** Both ways in must refuse the file the same way, and neither may change it. */
async function assertRefused(file: string, expected: { code: string; offset?: number; seq?: number }) {
  const before = await readFile(file);
  const check = (err: unknown) => {
    assert.ok(err instanceof StoreError, String(err));
    assert.equal(err.code, expected.code, err.message);
    if (expected.offset !== undefined) assert.equal(err.offset, expected.offset, err.message);
    if (expected.seq !== undefined) assert.equal(err.seq, expected.seq, err.message);
    assert.equal(err.file, file);
    assert.ok(err.message.startsWith(`${file}: `), err.message);
    return true;
  };
  await assert.rejects(JournalWriter.open(file), check);
  await assert.rejects(async () => {
    for await (const _ of readEvents(file));
  }, check);
  assert.deepEqual(await readFile(file), before, 'the file was modified');
}

test('journal - a flipped byte in a middle record is ECORRUPT at that record', async (t) => {
  const dir = await tempDir(t, 'journal');
  const file = journalPath(dir);
  const fr = await tenRecords(file);
  await flipBit(file, nth(fr, 4).offset + 8 + 40, 3);
  await assertRefused(file, { code: 'ECORRUPT', offset: nth(fr, 4).offset });
  await assert.rejects(JournalWriter.open(file), /corrupt record at offset \d+: CRC mismatch/);
});

test('journal - a flipped bit in any header byte of a middle record is ECORRUPT', async (t) => {
  const dir = await tempDir(t, 'journal');
  const file = journalPath(dir);
  const fr = await tenRecords(file);
  const pristine = await readFile(file);
  for (let i = 0; i < 8; i++) {
    for (const bit of [0, 7]) {
      await writeFile(file, pristine);
      await flipBit(file, nth(fr, 5).offset + i, bit);
      await assertRefused(file, { code: 'ECORRUPT', offset: nth(fr, 5).offset });
    }
  }
});

test('journal - a flipped bit in the last record is ECORRUPT, not truncated', async (t) => {
  const dir = await tempDir(t, 'journal');
  const file = journalPath(dir);
  const fr = await tenRecords(file);
  const last = fr.at(-1)!;
  await flipBit(file, last.offset + last.size - 2, 0);
  await assertRefused(file, { code: 'ECORRUPT', offset: last.offset });
  assert.equal((await stat(file)).size, last.offset + last.size);
});

test('journal - a zeroed 512-byte sector in the middle is ECORRUPT', async (t) => {
  const dir = await tempDir(t, 'journal');
  const file = journalPath(dir);
  const fr = await tenRecords(file);
  const pristine = await readFile(file);
  // Aligned to 512 as a disk would lose it; each start lands in a different spot of a record.
  for (const start of [512, 1024, 1536, 2048]) {
    await writeFile(file, pristine);
    await zeroSector(file, start);
    const hit = fr.find((f) => f.offset + f.size > start)!;
    await assertRefused(file, { code: 'ECORRUPT', offset: hit.offset });
  }
});

test('journal - a zero length followed by non-zero bytes is ECORRUPT', async (t) => {
  const dir = await tempDir(t, 'journal');
  const file = journalPath(dir);
  const fr = await tenRecords(file);
  const bytes = await readFile(file);
  bytes.fill(0, nth(fr, 8).offset, nth(fr, 8).offset + nth(fr, 8).size); // a whole record zeroed, one record after it
  await writeFile(file, bytes);
  await assertRefused(file, { code: 'ECORRUPT', offset: nth(fr, 8).offset });
  await assert.rejects(JournalWriter.open(file), /zero length followed by a non-zero byte/);
});

test('journal - an impossible length is ECORRUPT even at the end of the file', async (t) => {
  const dir = await tempDir(t, 'journal');
  const file = journalPath(dir);
  const fr = await tenRecords(file);
  const bytes = await readFile(file);
  bytes.writeUInt32LE(64 * 1024 * 1024 + 1, nth(fr, 9).offset);
  await writeFile(file, bytes);
  await assertRefused(file, { code: 'ECORRUPT', offset: nth(fr, 9).offset });
});

/** Replaces record `i` with `edit(event)`, re-framed with a correct CRC. */
async function reframe(file: string, fr: FrameInfo[], i: number, edit: (e: Record<string, unknown>) => void) {
  const event = JSON.parse(nth(fr, i).body.toString('utf8')) as Record<string, unknown>;
  edit(event);
  const parts = fr.map((f, j) => (j === i ? frame(Buffer.from(stringify(event))) : frame(f.body)));
  await writeFile(file, Buffer.concat(parts));
}

test('journal - a record whose prev hash does not chain is ECHAIN', async (t) => {
  const dir = await tempDir(t, 'journal');
  const file = journalPath(dir);
  const fr = await tenRecords(file);
  await reframe(file, fr, 6, (e) => (e.prev = 'f'.repeat(64)));
  await assertRefused(file, { code: 'ECHAIN', offset: nth(fr, 6).offset, seq: 7 });
});

test('journal - an edited body with a fixed CRC breaks the chain at the next record', async (t) => {
  const dir = await tempDir(t, 'journal');
  const file = journalPath(dir);
  const fr = await tenRecords(file);
  await reframe(file, fr, 3, (e) => (e.payload = 'rewritten history'));
  const shifted = nth(fr, 4).offset - nth(fr, 3).size + nth(await frames(file), 3).size;
  await assertRefused(file, { code: 'ECHAIN', offset: shifted, seq: 5 });
});

test('journal - a seq gap is ECHAIN', async (t) => {
  const dir = await tempDir(t, 'journal');
  const file = journalPath(dir);
  const fr = await tenRecords(file);
  await writeFile(file, Buffer.concat([...fr.slice(0, 3), ...fr.slice(4)].map((f) => frame(f.body))));
  await assertRefused(file, { code: 'ECHAIN', offset: nth(fr, 3).offset, seq: 5 });
});

test('journal - a first record with a prev hash is ECHAIN', async (t) => {
  const dir = await tempDir(t, 'journal');
  const file = journalPath(dir);
  const fr = await tenRecords(file);
  await writeFile(file, Buffer.concat(fr.slice(1).map((f) => frame(f.body))));
  await assertRefused(file, { code: 'ECHAIN', offset: 0, seq: 2 });
});
