import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { journalFile } from '../../src/layout/roots.ts';
import { fileHandlePrototype, withFsPatched, withFsSpy, withPatched } from '../helpers/spy.ts';
import { events, tempStore } from '../helpers/store.ts';

const state = (i: number) => ({ type: 'State' as const, value: { state: 'running', blockIndex: i } });
const fileOf = (fd: number) => fs.readlinkSync(`/proc/self/fd/${fd}`);

test('lone sync - a writer awaiting each store syncs inline; concurrent writers, and a writer beside another sandbox committing, do not', async (t) => {
  const { store, roots, done } = await tempStore(t);
  try {
    await store.createAllResources({ id: 'a' });
    await store.createAllResources({ id: 'b' });
    const inline: string[] = [];
    await withFsSpy(
      'fdatasyncSync',
      (args) => void inline.push(fileOf(args[0] as number)),
      async () => {
        for (let i = 0; i < 20; i++) await store.storeSandboxResource('a', 'state', state(i));
        // Each lock hold (at most 200 ms) starts with a sync through the pool; the rest are inline.
        assert.ok(inline.length >= 5, `a lone writer synced inline ${inline.length} times of 20`);
        assert.ok(inline.every((file) => file === journalFile(roots, 'a')));
        inline.length = 0;
        // 40 writers on one sandbox: their groups sync through the thread pool.
        await Promise.all(Array.from({ length: 40 }, (_, i) => store.storeSandboxResource('a', 'state', state(i))));
        assert.ok(inline.length <= 1, `40 concurrent writers synced inline ${inline.length} times`);
        // While another sandbox of the Store has a sync in flight, a lone writer syncs through the pool too.
        inline.length = 0;
        const bJournal = journalFile(roots, 'b');
        let bSyncing!: () => void;
        const bInFlight = new Promise<void>((resolve) => (bSyncing = resolve));
        let releaseB!: () => void;
        const bReleased = new Promise<void>((resolve) => (releaseB = resolve));
        await withPatched(
          await fileHandlePrototype(),
          'datasync',
          (original) =>
            async function (this: unknown, ...args: unknown[]) {
              if (fileOf((this as { fd: number }).fd) === bJournal) {
                bSyncing();
                await bReleased;
              }
              return original.apply(this, args);
            },
          async () => {
            const bStore = store.storeSandboxResource('b', 'state', state(0));
            await bInFlight;
            for (let i = 0; i < 10; i++) await store.storeSandboxResource('a', 'state', state(i));
            releaseB();
            await bStore;
          },
        );
        assert.deepEqual(inline, [], 'a lone writer synced inline while another sandbox was committing');
      },
    );
    assert.equal((await events(roots, 'a')).length, 1 + 20 + 40 + 10);
    assert.equal((await events(roots, 'b')).length, 2);
  } finally {
    await done();
  }
});

test('lone sync - an inline sync that fails refuses its store with EIO, cuts its record off, and the next store goes on', async (t) => {
  const { store, roots, done } = await tempStore(t);
  try {
    const created = await store.createAllResources({ id: 'sb' });
    const journal = journalFile(roots, 'sb');
    const acknowledged = [created];
    let inline = 0;
    const refused: number[] = [];
    await withFsPatched(
      fs,
      'fdatasyncSync',
      (original) =>
        function (this: unknown, ...args: unknown[]) {
          if (fileOf(args[0] as number) === journal && ++inline === 10)
            throw Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO', syscall: 'fdatasync' });
          return original.apply(this, args);
        },
      async () => {
        for (let i = 0; i < 20; i++) {
          try {
            acknowledged.push(await store.storeSandboxResource('sb', 'state', state(i)));
          } catch (err) {
            assert.equal((err as { code?: string }).code, 'EIO', String(err));
            refused.push(i);
          }
        }
      },
    );
    assert.equal(refused.length, 1, `refused: ${refused.join(', ')} of ${inline} inline syncs`);
    // Nothing but the acknowledged events, in order, with no torn or orphan record left by the refused one.
    assert.deepEqual(await events(roots, 'sb'), acknowledged);
    acknowledged.push(await store.storeSandboxResource('sb', 'state', state(99)));
    assert.deepEqual(await events(roots, 'sb'), acknowledged);
  } finally {
    await done();
  }
});
