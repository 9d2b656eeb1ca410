import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lastPerTarget } from '../../src/store/session/group-commit.ts';
import { rootsUnder } from '../../src/layout/roots.ts';
import { Store } from '../../src/store/store.ts';
import { withFileHandleSpy } from '../helpers/spy.ts';
import { events, tempStore } from '../helpers/store.ts';
import { readFile } from 'node:fs/promises';

test('group commit - the last write to each file settles the earlier ones, in order', () => {
  assert.deepEqual(lastPerTarget(['a', 'b', 'a', '#3', 'a']), [
    { carry: 1, settles: [1] },
    { carry: 3, settles: [3] },
    { carry: 4, settles: [0, 2, 4] },
  ]);
  assert.deepEqual(lastPerTarget([]), []);
});

test('group commit - concurrent stores share syncs, every caller gets its own durable event, the file holds the last', async (t) => {
  const { store, roots, done } = await tempStore(t);
  try {
    await store.createAllResources({ id: 'sb', containers: ['c'] });
    let shared = 0;
    const returned = await withFileHandleSpy(
      'datasync',
      () => shared++,
      () =>
        Promise.all(
          Array.from({ length: 40 }, (_, i) =>
            i % 2 === 0
              ? store.storeSandboxResource('sb', 'state', { type: 'State', value: { state: 'running', blockIndex: i } })
              : store.storeContainerResource('sb', 'c', 'state', {
                  type: 'State',
                  value: { state: 'running', blockIndex: i },
                }),
          ),
        ),
    );
    assert.ok(shared >= 1 && shared < 20, `40 concurrent stores took ${shared} fdatasyncs`);
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
