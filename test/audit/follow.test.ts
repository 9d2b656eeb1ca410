import assert from 'node:assert/strict';
import type { Stats } from 'node:fs';
import { stat, truncate } from 'node:fs/promises';
import { test } from 'node:test';
import stringify from 'fast-json-stable-stringify';
import { followEvents } from '../../src/audit/follow.ts';
import { journalFile } from '../../src/layout/roots.ts';
import type { JournalEvent } from '../../src/journal/record.ts';
import { appendBytes, frame, frames, sha256 } from '../helpers/corrupt.ts';
import { withFileHandleSpy } from '../helpers/spy.ts';
import { events, tempStore } from '../helpers/store.ts';
import { waitFor } from '../helpers/wait.ts';

test('audit follow - a torn tail is an append in progress: it is waited for, then read whole', async (t) => {
  const { store, roots, done } = await tempStore(t);
  const stop = new AbortController();
  // The sizes the follower finds when it polls the file, in order.
  const polled: number[] = [];
  try {
    await withFileHandleSpy(
      'stat',
      (s) => polled.push((s as Stats).size),
      async () => {
        await store.createAllResources({ id: 'sb' });
        await store.close();
        const file = journalFile(roots, 'sb');
        const seen: JournalEvent[] = [];
        const reading = (async () => {
          for await (const { offset: _o, ...event } of followEvents(file, { signal: stop.signal, intervalMs: 20 }))
            seen.push(event);
        })();
        await waitFor(() => seen.length >= 1, { what: 'the first event' });

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
        const half = (await stat(file)).size;
        const from = polled.length;
        // Found at that size twice: the scan that met the torn half is over, and the follower polls again.
        await waitFor(() => polled.slice(from).filter((size) => size === half).length >= 2, {
          what: 'the follower to scan the half record and poll again',
        });
        assert.deepEqual(
          seen.map((e) => e.seq),
          [1],
          'half a record is not an event yet',
        );
        await appendBytes(file, bytes.subarray(20));
        await waitFor(() => seen.length >= 2, { what: 'the completed record' });
        assert.deepEqual(
          seen.map((e) => [e.seq, e.op]),
          [
            [1, 'create'],
            [2, 'delete'],
          ],
        );

        stop.abort();
        await reading; // ends cleanly, without an error
      },
    );
  } finally {
    stop.abort();
    await done();
  }
});

test('audit follow - a journal that shrinks under the reader is a broken chain', async (t) => {
  const { store, roots, done } = await tempStore(t);
  const stop = new AbortController();
  try {
    await store.createAllResources({ id: 'sb' });
    await store.storeSandboxResource('sb', 'state', { type: 'State', value: { state: 'ready' } });
    await store.close();
    const file = journalFile(roots, 'sb');
    let seen = 0;
    const reading = (async () => {
      for await (const _ of followEvents(file, { signal: stop.signal, intervalMs: 20 })) seen++;
    })();
    // The failure is observed once, whenever it comes; the rejection is awaited below.
    void reading.catch(() => {});
    await waitFor(() => seen === 2, { what: 'the follower to read both events' });
    const [first] = await frames(file);
    await truncate(file, first!.size);
    await assert.rejects(reading, { code: 'ECHAIN' });
  } finally {
    stop.abort();
    await done();
  }
});
