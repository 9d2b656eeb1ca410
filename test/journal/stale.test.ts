import assert from 'node:assert/strict';
import { rename, rm, writeFile } from 'node:fs/promises';
import { test } from 'node:test';
import { isStoreError } from '../../src/errors.ts';
import { readEvents } from '../../src/journal/reader.ts';
import { JournalWriter } from '../../src/store/session/journal-writer.ts';
import { journalPath } from './support.ts';
import { tempDir } from '../helpers/temp.ts';

const event = { op: 'store' as const, sandbox: 'sb1', resource: 'state' as const, payload: '{}' };
const stale = (err: unknown) => isStoreError(err, 'ESTALE');

test('journal - a writer whose file was removed refuses to append or catch up with ESTALE', async (t) => {
  const file = journalPath(await tempDir(t, 'stale'));
  const w = await JournalWriter.open(file);
  try {
    await w.append(event);
    await rm(file);
    await assert.rejects(w.append(event), stale);
    await assert.rejects(w.catchUp(), stale);
  } finally {
    await w.close();
  }
});

test('journal - a writer whose file was replaced at its path refuses to append to the old one', async (t) => {
  const file = journalPath(await tempDir(t, 'stale'));
  const w = await JournalWriter.open(file);
  try {
    await w.append(event);
    await writeFile(`${file}.new`, '');
    await rename(`${file}.new`, file);
    await assert.rejects(w.appendBatch([event, event]), stale);
    const left = [];
    for await (const e of readEvents(file)) left.push(e);
    assert.deepEqual(left, [], 'nothing was appended to the file at the path either');
  } finally {
    await w.close();
  }
});
