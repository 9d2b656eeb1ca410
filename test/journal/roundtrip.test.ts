import assert from 'node:assert/strict';
import { open, readFile, stat } from 'node:fs/promises';
import { test, type TestContext } from 'node:test';
import { Chain } from '../../src/journal/chain.ts';
import { readEvents } from '../../src/journal/reader.ts';
import type { EventInput, JournalEvent } from '../../src/journal/record.ts';
import { scan, scanEach } from '../../src/journal/scan.ts';
import { JournalWriter } from '../../src/store/session/journal-writer.ts';
import { flipBit, frames, sha256 } from '../helpers/corrupt.ts';
import { journalPath, sampleInputs, nth } from './support.ts';
import { tempDir } from '../helpers/temp.ts';

async function collect(file: string, opts?: Parameters<typeof readEvents>[1]) {
  const out: Array<JournalEvent & { offset: number }> = [];
  for await (const e of readEvents(file, opts)) out.push(e);
  return out;
}

const strip = ({ offset: _o, ...e }: JournalEvent & { offset: number }): JournalEvent => e;

test('journal - events round trip through reopen and readEvents', async (t) => {
  const dir = await tempDir(t, 'journal');
  const file = journalPath(dir);
  const w = await JournalWriter.open(file);
  assert.equal(w.seq, 0);
  assert.equal(w.head, '');
  const appended: JournalEvent[] = [];
  const t0 = Date.parse('2024-05-01T12:00:00.000Z');
  for (const [i, input] of sampleInputs().entries()) appended.push(await w.append(input, new Date(t0 + i)));
  const { seq, head } = w;
  await w.close();

  const fr = await frames(file);
  assert.equal(seq, appended.length);
  assert.equal(head, sha256(fr.at(-1)!.body));
  assert.equal(nth(appended, 0).time, '2024-05-01T12:00:00.000Z');
  assert.deepEqual(
    appended.map((e) => e.seq),
    appended.map((_, i) => i + 1),
  );

  const seen: JournalEvent[] = [];
  const again = await JournalWriter.open(file, { onEvent: (e) => seen.push(e) });
  assert.deepEqual(seen, appended);
  assert.equal(again.seq, seq);
  assert.equal(again.head, head);
  await again.close();

  const read = await collect(file);
  assert.deepEqual(read.map(strip), appended);
  assert.deepEqual(
    read.map((e) => e.offset),
    fr.map((f) => f.offset),
  );
});

test('journal - readEvents streams a journal larger than its chunk, and records larger than a chunk', async (t) => {
  const dir = await tempDir(t, 'journal');
  const file = journalPath(dir);
  const w = await JournalWriter.open(file);
  for (let i = 0; i < 40; i++) await w.append({ op: 'store', sandbox: 'sb1', payload: `${i}:`.padEnd(64 * 1024, 'p') });
  await w.append({ op: 'store', sandbox: 'sb1', payload: 'q'.repeat(3 * 1024 * 1024) }); // spans 3+ chunks
  await w.append({ op: 'delete', sandbox: 'sb1' });
  await w.close();
  assert.ok((await stat(file)).size > 5 * 1024 * 1024);

  const read = await collect(file);
  assert.equal(read.length, 42);
  assert.equal(nth(read, 40).payload!.length, 3 * 1024 * 1024);
  assert.equal(nth(read, 41).op, 'delete');
  assert.ok(read.every((e, i) => e.seq === i + 1));
});

/** A journal of the sample events (without the first two), and the events a reader gets from it. */
async function sampleJournal(t: TestContext): Promise<{ file: string; expected: JournalEvent[] }> {
  const file = journalPath(await tempDir(t, 'journal'));
  const w = await JournalWriter.open(file);
  for (const input of sampleInputs().slice(2)) await w.append(input);
  await w.close();
  return { file, expected: (await collect(file)).map(strip) };
}

test('journal - scanning with tiny chunks finds the same records', async (t) => {
  const { file, expected } = await sampleJournal(t);
  for (const chunk of [1, 3, 8, 9, 100]) {
    const fh = await open(file, 'r');
    const got: JournalEvent[] = [];
    for await (const item of scan(fh, file, 0, new Chain(), { chunkSize: chunk }))
      if (item.kind === 'record') got.push(item.event);
    await fh.close();
    assert.deepEqual(got, expected, `chunk size ${chunk}`);
  }
});

test('journal - scanEach with tiny chunks visits the same records, with their offsets, and stops when told', async (t) => {
  const { file, expected } = await sampleJournal(t);
  const marks = await frames(file);
  for (const chunk of [1, 3, 8, 9, 100, 1 << 20]) {
    const fh = await open(file, 'r');
    const got: JournalEvent[] = [];
    const offsets: Array<[number, number]> = [];
    const torn = await scanEach(
      fh,
      file,
      0,
      new Chain(),
      (event, offset, end) => {
        got.push(event);
        offsets.push([offset, end]);
        return undefined;
      },
      { chunkSize: chunk },
    );
    assert.equal(torn, undefined);
    assert.deepEqual(got, expected, `chunk size ${chunk}`);
    assert.deepEqual(
      offsets,
      marks.map((m) => [m.offset, m.offset + m.size]),
      `chunk size ${chunk}`,
    );
    const chain = new Chain();
    let seen = 0;
    await scanEach(fh, file, 0, chain, () => ++seen < 2, { chunkSize: chunk });
    assert.equal(seen, 2, `stopped at the second record, chunk size ${chunk}`);
    assert.equal(chain.seq, 2);
    await fh.close();
  }
});

test('journal - a damaged record in the middle of a read window: every record before it is read first', async (t) => {
  const dir = await tempDir(t, 'journal');
  const file = journalPath(dir);
  const w = await JournalWriter.open(file);
  for (let i = 0; i < 20; i++) await w.append({ op: 'store', sandbox: 'sb1', resource: 'state', payload: `${i}` });
  await w.close();
  const bad = nth(await frames(file), 12);
  await flipBit(file, bad.offset + 20);
  const fh = await open(file, 'r');
  try {
    const seen: number[] = [];
    await assert.rejects(
      scanEach(fh, file, 0, new Chain(), (e) => void seen.push(e.seq)),
      { code: 'ECORRUPT', offset: bad.offset },
    );
    assert.deepEqual(
      seen,
      [...Array(12).keys()].map((i) => i + 1),
    );
    const items: number[] = [];
    await assert.rejects(
      async () => {
        for await (const item of scan(fh, file, 0, new Chain())) if (item.kind === 'record') items.push(item.event.seq);
      },
      { code: 'ECORRUPT', offset: bad.offset },
    );
    assert.deepEqual(items, seen);
  } finally {
    await fh.close();
  }
});

test('journal - readEvents on a missing file yields nothing', async (t) => {
  const dir = await tempDir(t, 'journal');
  assert.deepEqual(await collect(journalPath(dir, 'nope')), []);
});

test('journal - concurrent appends are serialized into a contiguous chain', async (t) => {
  const dir = await tempDir(t, 'journal');
  const file = journalPath(dir);
  const w = await JournalWriter.open(file);
  const events = await Promise.all(
    Array.from({ length: 20 }, (_, i) => w.append({ op: 'store', sandbox: 'sb1', payload: `p${i}` })),
  );
  await w.close();
  assert.deepEqual(
    events.map((e) => e.payload),
    events.map((_, i) => `p${i}`),
  );
  assert.deepEqual(
    events.map((e) => e.seq),
    events.map((_, i) => i + 1),
  );
  const read = await collect(file);
  assert.equal(read.length, 20);
});

test("journal - catchUp reads another writer's appends and append refuses until then", async (t) => {
  const dir = await tempDir(t, 'journal');
  const file = journalPath(dir);
  const a = await JournalWriter.open(file);
  await a.append({ op: 'store', sandbox: 'sb1', payload: 'a1' });
  const b = await JournalWriter.open(file);
  await b.append({ op: 'store', sandbox: 'sb1', payload: 'b2' });
  await b.append({ op: 'store', sandbox: 'sb1', payload: 'b3' });

  await assert.rejects(a.append({ op: 'store', sandbox: 'sb1' }), { code: 'ECONFLICT' });
  const seen: string[] = [];
  assert.equal(await a.catchUp((e) => seen.push(e.payload!)), 2);
  assert.deepEqual(seen, ['b2', 'b3']);
  assert.equal(a.seq, 3);
  assert.equal(a.head, b.head);
  assert.equal(await a.catchUp(), 0);
  const e4 = await a.append({ op: 'store', sandbox: 'sb1', payload: 'a4' });
  assert.equal(e4.seq, 4);
  await a.close();
  await b.close();
  assert.deepEqual(
    (await collect(file)).map((e) => e.payload),
    ['a1', 'b2', 'b3', 'a4'],
  );
});

test('journal - undefined optional fields are left out and invalid input is refused before writing', async (t) => {
  const dir = await tempDir(t, 'journal');
  const file = journalPath(dir);
  const w = await JournalWriter.open(file);
  // A caller without exactOptionalPropertyTypes may pass an undefined field.
  const input = { op: 'store', sandbox: 'sb1', container: undefined } as unknown as EventInput;
  const e = await w.append(input);
  assert.equal('container' in e, false);
  const before = await readFile(file);
  await assert.rejects(w.append({ op: '' as never, sandbox: 'sb1' }), { code: 'EPAYLOAD' });
  await assert.rejects(w.append({ op: 'rm' as never, sandbox: 'sb1' }), { code: 'EPAYLOAD' });
  await assert.rejects(w.append({ op: 'store', sandbox: 'sb1', extra: 1 } as never), { code: 'EPAYLOAD' });
  await assert.rejects(w.append({ op: 'store', sandbox: 'sb1', payload: 5 } as never), { code: 'EPAYLOAD' });
  assert.deepEqual(await readFile(file), before);
  assert.equal((await w.append({ op: 'store', sandbox: 'sb1' })).seq, 2);
  await w.close();
  await assert.rejects(w.append({ op: 'store', sandbox: 'sb1' }), { code: 'EUSAGE' });
});

test('journal - an error thrown by onEvent reaches the caller unchanged', async (t) => {
  const dir = await tempDir(t, 'journal');
  const file = journalPath(dir);
  const w = await JournalWriter.open(file);
  await w.append({ op: 'store', sandbox: 'sb1' });
  await w.close();
  const mine = new Error('rebuild failed');
  await assert.rejects(
    JournalWriter.open(file, {
      onEvent: () => {
        throw mine;
      },
    }),
    (err) => err === mine,
  );
});
