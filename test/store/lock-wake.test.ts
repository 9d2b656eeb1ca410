import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { silentLogger } from '../../src/log.ts';
import { lockSandbox } from '../../src/store/writer-lock.ts';
import { elapse } from '../helpers/wait.ts';

test('lock - a waiter takes the lock as soon as the holder releases it, not at its next poll', async (t) => {
  const root = await mkdtemp(path.join(os.tmpdir(), 'vcstore-lock-wake-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  const before = process.env.VCSTORE_LOCK_POLL_MS;
  // Pauses doubling from 1 ms without a cap: a waiter that only polled would sleep from about 1.0 s to 2.0 s.
  process.env.VCSTORE_LOCK_POLL_MS = '600000';
  t.after(() => {
    if (before === undefined) delete process.env.VCSTORE_LOCK_POLL_MS;
    else process.env.VCSTORE_LOCK_POLL_MS = before;
  });
  const held = await lockSandbox(root, 'sb', silentLogger);
  let tookAt: number | undefined;
  const waiting = lockSandbox(root, 'sb', silentLogger).then((lock) => {
    tookAt = Date.now();
    return lock;
  });
  // Time itself must pass here: the waiter's pauses grow until it is asleep for about a second.
  await elapse(1400);
  assert.equal(tookAt, undefined, 'the waiter waits while the holder lives');
  const releasedAt = Date.now();
  await held.release();
  const next = await waiting;
  const after = tookAt! - releasedAt;
  assert.ok(after < 400, `taken ${after} ms after the release: the waiter slept until its next poll`);
  next.check(); // the waiter holds it now
  await next.release();
});
