import assert from 'node:assert/strict';
import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { writeJournal } from '../../src/journal/restore.ts';
import { journalFile } from '../../src/layout/roots.ts';
import { frames, sha256 } from '../helpers/corrupt.ts';
import { tempStore } from '../helpers/store.ts';

/** Bodies as the async stream writeJournal reads. */
const each = (bodies: Buffer[]) => Readable.from(bodies);

test('journal restore - bodies kept elsewhere become the same journal, byte for byte; a broken chain leaves no file', async (t) => {
  const { store, roots, root, done } = await tempStore(t);
  try {
    await store.createAllResources({ id: 'sb', containers: ['c'] });
    for (let i = 0; i < 3; i++)
      await store.storeSandboxResource('sb', 'state', { type: 'State', value: { state: `s${i}` } });
    await store.close();
    const original = journalFile(roots, 'sb');
    const bodies = (await frames(original)).map((f) => Buffer.from(f.body));

    const copy = path.join(root, 'copy', 'journal.log');
    const head = await writeJournal(copy, each(bodies));
    assert.ok((await readFile(copy)).equals(await readFile(original)));
    assert.deepEqual(head, { seq: 4, head: sha256(bodies[3]!) });
    await assert.rejects(
      writeJournal(copy, each(bodies)),
      { code: 'EUSAGE' },
      'an existing journal is never overwritten',
    );

    const gap = path.join(root, 'gap', 'journal.log');
    await assert.rejects(writeJournal(gap, each([bodies[0]!, bodies[2]!])), { code: 'ECHAIN' });
    await assert.rejects(access(gap), { code: 'ENOENT' });
    const notJson = path.join(root, 'bad', 'journal.log');
    await assert.rejects(writeJournal(notJson, each([bodies[0]!, Buffer.from('{"v":1')])), { code: 'ECORRUPT' });
    await assert.rejects(access(notJson), { code: 'ENOENT' });
  } finally {
    await done();
  }
});
