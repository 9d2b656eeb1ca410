import assert from 'node:assert/strict';
import { truncate } from 'node:fs/promises';
import { test } from 'node:test';
import stringify from 'fast-json-stable-stringify';
import { followEvents } from '../../src/audit/follow.ts';
import { journalFile } from '../../src/layout/roots.ts';
import type { JournalEvent } from '../../src/journal/record.ts';
import { appendBytes, frame, frames, sha256 } from '../helpers/corrupt.ts';
import { events, tempStore } from '../helpers/store.ts';

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('audit follow - a torn tail is an append in progress: it is waited for, then read whole', async () => {
  const { store, roots, done } = await tempStore();
  const stop = new AbortController();
  try {
    await store.createAllResources({ id: 'sb' });
    await store.close();
    const file = journalFile(roots, 'sb');
    const seen: JournalEvent[] = [];
    const reading = (async () => {
      for await (const { offset: _o, ...event } of followEvents(file, { signal: stop.signal, intervalMs: 20 }))
        seen.push(event);
    })();
    await pause(100);
    assert.deepEqual(
      seen.map((e) => e.seq),
      [1],
    );

    // The next record, written in two halves as a slow append would land.
    const last = (await frames(file)).at(-1)!;
    const next = {
      ...(await events(roots, 'sb'))[0],
      seq: 2,
      op: 'delete',
      resources: [],
      containers: undefined,
      prev: sha256(last.body),
    };
    const bytes = frame(Buffer.from(stringify(next)));
    await appendBytes(file, bytes.subarray(0, 20));
    await pause(150);
    assert.deepEqual(
      seen.map((e) => e.seq),
      [1],
      'half a record is not an event yet',
    );
    await appendBytes(file, bytes.subarray(20));
    await pause(150);
    assert.deepEqual(
      seen.map((e) => [e.seq, e.op]),
      [
        [1, 'create'],
        [2, 'delete'],
      ],
    );

    stop.abort();
    await reading; // ends cleanly, without an error
  } finally {
    stop.abort();
    await done();
  }
});

test('audit follow - a journal that shrinks under the reader is a broken chain', async () => {
  const { store, roots, done } = await tempStore();
  const stop = new AbortController();
  try {
    await store.createAllResources({ id: 'sb' });
    await store.storeSandboxResource('sb', 'state', { type: 'State', value: { state: 'ready' } });
    await store.close();
    const file = journalFile(roots, 'sb');
    const reading = (async () => {
      for await (const _ of followEvents(file, { signal: stop.signal, intervalMs: 20 }));
    })();
    await pause(80);
    await truncate(file, (await frames(file))[0].size);
    await assert.rejects(reading, { code: 'ECHAIN' });
  } finally {
    stop.abort();
    await done();
  }
});
