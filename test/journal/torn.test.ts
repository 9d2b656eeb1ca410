import assert from 'node:assert/strict';
import { copyFile, readFile, stat } from 'node:fs/promises';
import { test } from 'node:test';
import { readEvents } from '../../src/journal/reader.ts';
import type { JournalEvent } from '../../src/journal/record.ts';
import { JournalWriter } from '../../src/store/session/journal-writer.ts';
import { appendBytes, appendZeros, frames, sha256, truncateAt } from '../helpers/corrupt.ts';
import { captureLog, journalPath, nth } from './support.ts';
import { tempDir } from '../helpers/temp.ts';

/** A journal of three records whose last one has unicode in it. */
async function threeRecords(file: string): Promise<JournalEvent[]> {
  const w = await JournalWriter.open(file);
  const out = [
    await w.append({ op: 'store', sandbox: 'sb1', resource: 'state', payload: '{"state":"ready"}' }),
    await w.append({ op: 'store', sandbox: 'sb1', container: 'c1', payload: 'a'.repeat(50) }),
    await w.append({ op: 'delete', sandbox: 'sb1', container: 'c1', resources: ['x'], payload: 'ü🚀' }),
  ];
  await w.close();
  return out;
}

async function reopen(file: string) {
  const { log, lines } = captureLog();
  const seen: JournalEvent[] = [];
  const w = await JournalWriter.open(file, { log, onEvent: (e) => seen.push(e) });
  return { w, seen, warnings: lines.filter((l) => l.msg === 'truncated torn tail') };
}

test('journal - torn tail is truncated and appends resume, for a cut at every byte of the last record', async (t) => {
  const dir = await tempDir(t, 'journal');
  const pristine = journalPath(dir, 'pristine');
  const events = await threeRecords(pristine);
  const last = (await frames(pristine)).at(-1)!;
  const prevHead = sha256((await frames(pristine)).at(-2)!.body);
  const file = journalPath(dir);
  await threeRecords(file); // creates the directory
  for (let cut = last.offset; cut < last.offset + last.size; cut++) {
    await copyFile(pristine, file);
    await truncateAt(file, cut);
    const { w, seen, warnings } = await reopen(file);
    assert.deepEqual(seen, events.slice(0, 2), `cut at ${cut}`);
    assert.equal(w.seq, 2);
    assert.equal(w.head, prevHead);
    assert.equal((await stat(file)).size, last.offset, `cut at ${cut}`);
    if (cut === last.offset) assert.equal(warnings.length, 0, 'a cut at a boundary is a clean end');
    else
      assert.deepEqual(
        warnings.map((l) => [l.file, l.offset, l.bytes]),
        [[file, last.offset, cut - last.offset]],
      );
    const next = await w.append({ op: 'store', sandbox: 'sb1', payload: 'after' });
    assert.equal(next.seq, 3);
    assert.equal(next.prev, prevHead);
    await w.close();
    const read: JournalEvent[] = [];
    for await (const { offset: _o, ...e } of readEvents(file)) read.push(e);
    assert.deepEqual(read, [...events.slice(0, 2), next]);
  }
});

test('journal - trailing zeros after the last record are a torn tail and are truncated', async (t) => {
  const dir = await tempDir(t, 'journal');
  const file = journalPath(dir);
  const events = await threeRecords(file);
  const size = (await stat(file)).size;
  for (const n of [1, 7, 8, 4096, 3 * 1024 * 1024]) {
    await appendZeros(file, n);
    const { w, seen, warnings } = await reopen(file);
    assert.deepEqual(seen, events);
    assert.deepEqual(
      warnings.map((l) => [l.offset, l.bytes]),
      [[size, n]],
      `${n} zeros`,
    );
    assert.equal((await stat(file)).size, size);
    await w.close();
  }
});

test('journal - a file of only zeros is an empty journal with a torn tail', async (t) => {
  const dir = await tempDir(t, 'journal');
  const file = journalPath(dir);
  await (await JournalWriter.open(file)).close();
  await appendZeros(file, 8192);
  const { w, warnings } = await reopen(file);
  assert.equal(w.seq, 0);
  assert.equal(warnings.length, 1);
  assert.equal((await w.append({ op: 'store', sandbox: 'sb1' })).prev, '');
  await w.close();
});

test('journal - a torn body followed by zeros is torn', async (t) => {
  const dir = await tempDir(t, 'journal');
  const file = journalPath(dir);
  await threeRecords(file);
  const last = (await frames(file)).at(-1)!;
  await truncateAt(file, last.offset + 8 + 5);
  await appendZeros(file, last.size - 8 - 5 - 1); // one byte short of the full body
  const { w, warnings } = await reopen(file);
  assert.equal(w.seq, 2);
  assert.equal(warnings.length, 1);
  await w.close();
});

test('journal - readEvents stops at a torn tail, reports it and never modifies the file', async (t) => {
  const dir = await tempDir(t, 'journal');
  const file = journalPath(dir);
  const events = await threeRecords(file);
  const last = (await frames(file)).at(-1)!;
  await truncateAt(file, last.offset + 11);
  await appendZeros(file, 100);
  const before = { bytes: await readFile(file), mtime: (await stat(file)).mtimeMs };
  const torn: Array<{ offset: number; bytes: number }> = [];
  const read: JournalEvent[] = [];
  for await (const { offset: _o, ...e } of readEvents(file, { onTornTail: (t) => torn.push(t) })) read.push(e);
  assert.deepEqual(read, events.slice(0, 2));
  assert.deepEqual(torn, [{ offset: last.offset, bytes: 111 }]);
  assert.deepEqual(await readFile(file), before.bytes);
  assert.equal((await stat(file)).mtimeMs, before.mtime);
});

test('journal - a damaged length that makes the last record look torn is corruption', async (t) => {
  const dir = await tempDir(t, 'journal');
  const file = journalPath(dir);
  await threeRecords(file);
  const fr = await frames(file);
  const last = fr.at(-1)!;
  const bytes = await readFile(file);
  // The whole last body is present but its length claims 40 more bytes.
  bytes.writeUInt32LE(last.size - 8 + 40, last.offset);
  await truncateAt(file, 0);
  await appendBytes(file, bytes);
  await assert.rejects(JournalWriter.open(file), { code: 'ECORRUPT', offset: last.offset });
  // A middle record whose length runs over the records after it, past end of file.
  const mid = nth(fr, 1);
  bytes.writeUInt32LE(last.size - 8, last.offset);
  bytes.writeUInt32LE(mid.size - 8 + last.size + 100, mid.offset);
  await truncateAt(file, 0);
  await appendBytes(file, bytes);
  await assert.rejects(JournalWriter.open(file), { code: 'ECORRUPT', offset: mid.offset });
  assert.equal((await stat(file)).size, bytes.length, 'nothing truncated');
});
