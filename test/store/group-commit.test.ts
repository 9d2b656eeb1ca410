import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lastPerTarget } from '../../src/store/session/group-commit.ts';
import { journalFile, rootsUnder } from '../../src/layout/roots.ts';
import { Store } from '../../src/store/store.ts';
import { fileHandlePrototype, withPatched } from '../helpers/spy.ts';
import { events, tempStore } from '../helpers/store.ts';
import { readFile, stat } from 'node:fs/promises';

test('group commit - the last write to each file settles the earlier ones, in order', () => {
  assert.deepEqual(lastPerTarget(['a', 'b', 'a', '#3', 'a']), [
    { carry: 1, settles: [1] },
    { carry: 3, settles: [3] },
    { carry: 4, settles: [0, 2, 4] },
  ]);
  assert.deepEqual(lastPerTarget([]), []);
});

test('group commit - stores that arrive while a sync is in flight are all made durable by the one next sync', async (t) => {
  const { store, roots, done } = await tempStore(t);
  try {
    await store.createAllResources({ id: 'sb', containers: ['c'] });
    const journal = journalFile(roots, 'sb');
    // The first sync of the journal is held until the other 39 stores have been submitted: which stores
    // arrive during a sync is then fixed by the test, not by how fast this machine schedules.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const syncs: Array<{ size: number }> = [];
    let started!: () => void;
    const firstSyncStarted = new Promise<void>((resolve) => (started = resolve));
    const store40 = (i: number) =>
      i % 2 === 0
        ? store.storeSandboxResource('sb', 'state', { type: 'State', value: { state: 'running', blockIndex: i } })
        : store.storeContainerResource('sb', 'c', 'state', {
            type: 'State',
            value: { state: 'running', blockIndex: i },
          });
    const returned = await withPatched(
      await fileHandlePrototype(),
      'datasync',
      (original) =>
        async function (this: unknown, ...args: unknown[]) {
          syncs.push({ size: (await stat(journal)).size });
          if (syncs.length === 1) {
            started();
            await held;
          }
          return original.apply(this, args);
        },
      async () => {
        const first = store40(0);
        await firstSyncStarted;
        const rest = Array.from({ length: 39 }, (_, i) => store40(i + 1));
        release();
        return Promise.all([first, ...rest]);
      },
    );
    assert.equal(syncs.length, 2, `40 stores, 39 of them submitted during the first sync, took ${syncs.length} syncs`);
    assert.equal(
      syncs[1]!.size,
      (await stat(journal)).size,
      'the second sync covers every event appended after the first',
    );
    const log = await events(roots, 'sb');
    assert.deepEqual(
      returned.map((e) => e.seq).sort((a, b) => a - b),
      Array.from({ length: 40 }, (_, i) => i + 2),
    );
    for (const event of returned)
      assert.deepEqual(log[event.seq - 1], event, 'what a caller got is what the journal holds');
    const lastSandbox = log.filter((e) => e.op === 'store' && !e.container).at(-1)!;
    const lastContainer = log.filter((e) => e.op === 'store' && e.container).at(-1)!;
    assert.equal(await readFile(store.sandboxURI('sb', 'state').path, 'utf8'), lastSandbox.payload);
    assert.equal(await readFile(store.containerURI('sb', 'c', 'state').path, 'utf8'), lastContainer.payload);
    // A conflict in a group refuses that write only.
    const [ok, conflict] = await Promise.allSettled([
      store.storeSandboxResource('sb', 'state', { type: 'State', value: { state: 'x' } }, { expectSeq: 41 }),
      store.storeSandboxResource('sb', 'state', { type: 'State', value: { state: 'y' } }, { expectSeq: 41 }),
    ]);
    assert.equal(ok.status, 'fulfilled');
    assert.equal(conflict.status === 'rejected' && (conflict.reason as { code: string }).code, 'ECONFLICT');
    const reopened = new Store({
      roots: rootsUnder(roots.config.replace(/\/var\/lib\/virtcontainers\/sandboxes$/, '')),
    });
    assert.equal(await reopened.seq('sb'), 42);
    await reopened.close();
  } finally {
    await done();
  }
});
