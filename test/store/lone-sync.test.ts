import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { journalFile } from '../../src/layout/roots.ts';
import { withFsPatched } from '../helpers/spy.ts';
import { events, tempStore } from '../helpers/store.ts';

const state = (i: number) => ({ type: 'State' as const, value: { state: 'running', blockIndex: i } });
const fileOf = (fd: number) => fs.readlinkSync(`/proc/self/fd/${fd}`);

test('lone sync - a writer awaiting each store syncs inline; concurrent writers and other sandboxes do not', async (t) => {
  const { store, roots, done } = await tempStore(t);
  try {
    await store.createAllResources({ id: 'a' });
    await store.createAllResources({ id: 'b' });
    const inline: string[] = [];
    let bothWriting = false;
    const whileBoth: string[] = [];
    await withFsPatched(
      fs,
      'fdatasyncSync',
      (original) =>
        function (this: unknown, ...args: unknown[]) {
          inline.push(fileOf(args[0] as number));
          if (bothWriting) whileBoth.push(fileOf(args[0] as number));
          return original.apply(this, args);
        },
      async () => {
        for (let i = 0; i < 20; i++) await store.storeSandboxResource('a', 'state', state(i));
        // Each lock hold (at most 200 ms) starts with a sync through the pool; the rest are inline.
        assert.ok(inline.length >= 5, `a lone writer synced inline ${inline.length} times of 20`);
        assert.ok(inline.every((file) => file === journalFile(roots, 'a')));
        inline.length = 0;
        // 40 writers on one sandbox: their groups sync through the thread pool.
        await Promise.all(Array.from({ length: 40 }, (_, i) => store.storeSandboxResource('a', 'state', state(i))));
        assert.ok(inline.length <= 1, `40 concurrent writers synced inline ${inline.length} times`);
        // Two sandboxes, each with a writer awaiting each store: while both write, neither holds the loop
        // from the other (but for a moment when the other has no group in flight).
        bothWriting = true;
        await Promise.all(
          ['a', 'b'].map(async (id) => {
            for (let i = 0; i < 20; i++) await store.storeSandboxResource(id, 'state', state(i));
            bothWriting = false;
          }),
        );
        assert.ok(whileBoth.length < 10, `two sandboxes side by side synced inline ${whileBoth.length} times of 40`);
      },
    );
    assert.equal((await events(roots, 'a')).length, 1 + 20 + 40 + 20);
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
