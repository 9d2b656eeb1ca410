import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { withFsSpy } from '../helpers/spy.ts';
import { rootsUnder } from '../../src/layout/roots.ts';
import { buildServer } from '../../src/server/app.ts';
import { Store } from '../../src/store/store.ts';
import { tempDir } from '../helpers/temp.ts';

const state = (i: number) => ({ type: 'State' as const, value: { state: 'running', blockIndex: i } });

/** Runs `fn` counting the writer lock's acquisitions of sandbox `id` and the journal syncs made inline. */
function counting<T>(id: string, fn: (seen: { locks: number; inline: number }) => Promise<T>): Promise<T> {
  const seen = { locks: 0, inline: 0 };
  return withFsSpy(
    'symlinkSync',
    (args) => void (path.basename(String(args[1])) === `${id}.lock` && seen.locks++),
    () =>
      withFsSpy(
        'fdatasyncSync',
        () => void seen.inline++,
        () => fn(seen),
      ),
  );
}

test("linger - a daemon's writer, whose next store comes a moment after the answer (a daemon client) keeps the lock and syncs inline; a pause lets the lock go", async (t) => {
  const roots = rootsUnder(await tempDir(t, 'linger'));
  const store = new Store({ roots, lingerMs: 2 }); // as the daemon's
  try {
    await store.createAllResources({ id: 'a' });
    await sleep(50);
    const lockFile = path.join(roots.journal, '@locks', 'a.lock');
    assert.equal(existsSync(lockFile), false, 'the lock is released once the writer has been quiet past the linger');
    await counting('a', async (seen) => {
      for (let i = 0; i < 10; i++) {
        await store.storeSandboxResource('a', 'state', state(i));
        // More than one turn of the event loop, less than the linger: a client's round trip.
        await sleep(1);
      }
      t.diagnostic(`10 stores 1 ms apart: ${seen.locks} lock acquisitions, ${seen.inline} inline syncs`);
      // A hold lasts at most 200 ms, and its first sync goes through the thread pool.
      assert.ok(seen.locks <= 3, `10 stores 1 ms apart took the lock ${seen.locks} times`);
      assert.equal(seen.inline, 10 - seen.locks, 'every store after the first of a hold syncs inline');
    });
    await sleep(50);
    assert.equal(existsSync(lockFile), false, 'a writer that stopped writing let the lock go');
  } finally {
    await store.close();
  }
});

test('linger - another operation on the sandbox, or closing the store, ends the wait at once', async (t) => {
  // Under the 200 ms hold, and long enough to show whether it is waited out.
  const store = new Store({ roots: rootsUnder(await tempDir(t, 'linger')), lingerMs: 150 });
  try {
    await store.createAllResources({ id: 'a' });
    await store.storeSandboxResource('a', 'state', state(1));
    await sleep(10); // the hold is lingering now
    let started = performance.now();
    assert.equal(await store.seq('a'), 2);
    const seqMs = performance.now() - started;
    await store.storeSandboxResource('a', 'state', state(2));
    await sleep(10);
    started = performance.now();
    await store.close();
    const closeMs = performance.now() - started;
    t.diagnostic(`seq() after a store: ${seqMs.toFixed(1)} ms; close() after a store: ${closeMs.toFixed(1)} ms`);
    assert.ok(seqMs < 100, `seq() waited ${seqMs.toFixed(0)} ms for the linger`);
    assert.ok(closeMs < 100, `close() waited ${closeMs.toFixed(0)} ms for the linger`);
  } finally {
    await store.close();
  }
});

test('linger - the daemon lingers (VCSTORE_LINGER_MS): a client storing 1 ms after each answer takes the lock once', async (t) => {
  const before = process.env.VCSTORE_LINGER_MS;
  // Far above a request's own time through inject(), so that a loaded machine does not end the linger first.
  process.env.VCSTORE_LINGER_MS = '100';
  t.after(() => {
    if (before === undefined) delete process.env.VCSTORE_LINGER_MS;
    else process.env.VCSTORE_LINGER_MS = before;
  });
  const roots = rootsUnder(await tempDir(t, 'linger'));
  const server = await buildServer({ roots });
  const post = async (url: string, body: unknown) => {
    const answer = await server.app.inject({ method: 'POST', url, payload: body as Record<string, unknown> });
    assert.equal(answer.statusCode, 200, answer.body);
  };
  try {
    await post('/v1/createAllResources', { sandboxID: 'a' });
    await sleep(150);
    await counting('a', async (seen) => {
      for (let i = 0; i < 10; i++) {
        await post('/v1/storeSandboxResource', { sandboxID: 'a', resource: 'state', data: state(i) });
        await sleep(1);
      }
      t.diagnostic(`10 requests 1 ms apart: ${seen.locks} lock acquisitions, ${seen.inline} inline syncs`);
      // A hold lasts at most 200 ms.
      assert.ok(seen.locks <= 2, `10 requests 1 ms apart took the lock ${seen.locks} times`);
      assert.equal(seen.inline, 10 - seen.locks);
    });
  } finally {
    await server.app.close();
  }
});
