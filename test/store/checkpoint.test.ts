import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import stringify from 'fast-json-stable-stringify';
import { hashBody } from '../../src/journal/record.ts';
import { JournalWriter } from '../../src/journal/writer.ts';
import { journalFile } from '../../src/layout/roots.ts';
import { CHECKPOINT_EVERY, checkpointFile, readCheckpoint } from '../../src/store/checkpoint.ts';
import { Store } from '../../src/store/store.ts';
import { silentLogger } from '../../src/log.ts';
import { tempStore } from '../helpers/store.ts';

const state = (i: number) => ({ type: 'State', value: { state: 'running', blockIndex: i } });

test('checkpoint - written every 1000 events and on close; a reopen reads only the events after it', async () => {
  const { store, roots, done } = await tempStore();
  try {
    await store.createAllResources({ id: 'sb' });
    for (let i = 1; i < CHECKPOINT_EVERY + 5; i++) await store.storeSandboxResource('sb', 'state', state(i));
    const file = journalFile(roots, 'sb');
    assert.equal((await readCheckpoint(checkpointFile(file), silentLogger))?.seq, CHECKPOINT_EVERY);
    await store.close();
    const checkpoint = (await readCheckpoint(checkpointFile(file), silentLogger))!;
    assert.equal(checkpoint.seq, CHECKPOINT_EVERY + 5);

    let read = 0;
    const writer = await JournalWriter.open(file, { resume: checkpoint, onEvent: () => read++ });
    assert.equal(writer.resumed, true);
    assert.equal(read, 0);
    assert.equal(writer.seq, CHECKPOINT_EVERY + 5);
    await writer.close();
  } finally {
    await done();
  }
});

test('checkpoint - one that does not match the journal or its digest is ignored, and the tree comes from the journal', async () => {
  const { store, roots, done } = await tempStore();
  try {
    await store.createAllResources({ id: 'sb' });
    for (let i = 1; i <= 3; i++) await store.storeSandboxResource('sb', 'state', state(i));
    await store.close();
    const file = journalFile(roots, 'sb');
    const cpFile = checkpointFile(file);
    const good = JSON.parse(await readFile(cpFile, 'utf8'));
    const stateFile = path.join(roots.run, 'sb', 'state.json');
    const expected = await readFile(stateFile, 'utf8');

    const forged = (edit: (cp: Record<string, any>) => void, redigest: boolean) => {
      const cp = structuredClone(good);
      edit(cp);
      if (redigest) {
        const { digest: _d, ...content } = cp;
        cp.digest = hashBody(Buffer.from(stringify(content)));
      }
      return JSON.stringify(cp);
    };
    const cases = [
      forged((cp) => (cp.files['run/sb/state.json'] = '{"state":"forged"}'), false), // damaged content
      forged((cp) => (cp.head = 'f'.repeat(64)), true), // a mark that is not in the journal
      forged((cp) => (cp.start += 1), true),
      '{"v":1,',
    ];
    for (const text of cases) {
      await writeFile(cpFile, text);
      await writeFile(stateFile, '{"state":"drifted"}');
      const reopened = new Store({ roots });
      assert.equal(await reopened.seq('sb'), 4);
      assert.equal(await readFile(stateFile, 'utf8'), expected, text.slice(0, 60));
      await reopened.close();
      assert.equal((await readCheckpoint(cpFile, silentLogger))?.head, good.head, 'rewritten from the journal');
    }
  } finally {
    await done();
  }
});
