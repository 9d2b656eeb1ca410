import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readdirSync, readlinkSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { readEvents } from '../../src/journal/reader.ts';
import { bootId } from '../../src/journal/boot-id.ts';
import { journalFile } from '../../src/layout/roots.ts';
import { silentLogger } from '../../src/log.ts';
import { lockSandbox } from '../../src/store/writer-lock.ts';
import { checkAfterCrash, startWorker } from '../helpers/crash.ts';
import { rejectsWith, tempStore } from '../helpers/store.ts';
import { elapse, waitFor } from '../helpers/wait.ts';
import { scriptArgv } from '../helpers/script.ts';

// A time-based lock (mtime refreshed, taken over when older than this) would overtake a holder stopped for
// longer: these tests stop holders for longer, and the workers they start inherit the setting.
const staleBefore = process.env.VCSTORE_LOCK_STALE_MS;
process.env.VCSTORE_LOCK_STALE_MS = '2000';
after(() => {
  if (staleBefore === undefined) delete process.env.VCSTORE_LOCK_STALE_MS;
  else process.env.VCSTORE_LOCK_STALE_MS = staleBefore;
});

const HOLDER = path.join(path.dirname(fileURLToPath(import.meta.url)), '../helpers/lock-holder.ts');
const state = (i: number) => ({ type: 'State' as const, value: { state: 'running', blockIndex: i } });

/** Starts a process that holds the sandbox's lock until told to release it. */
async function holder(journalRoot: string, sandbox: string): Promise<ChildProcessWithoutNullStreams> {
  const child = spawn(process.execPath, [...scriptArgv(HOLDER), journalRoot, sandbox]);
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  while (!out.includes('locked')) {
    const [code] = await Promise.race([once(child.stdout, 'data'), once(child, 'exit')]);
    if (typeof code === 'number' || code === null) throw new Error(`lock holder exited: ${code}`);
  }
  return child;
}

/** The pid of a process that has exited: it can hold nothing. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  await once(child, 'exit');
  return child.pid!;
}

function withWait<T>(ms: number, fn: () => Promise<T>): Promise<T> {
  const before = process.env.VCSTORE_LOCK_WAIT_MS;
  process.env.VCSTORE_LOCK_WAIT_MS = String(ms);
  return fn().finally(() => {
    if (before === undefined) delete process.env.VCSTORE_LOCK_WAIT_MS;
    else process.env.VCSTORE_LOCK_WAIT_MS = before;
  });
}

test('lock - a frozen holder is waited for, never overtaken, however long it is stopped', async (t) => {
  const { store, roots, done } = await tempStore(t);
  const child = await holder(roots.journal, 'sb');
  try {
    child.kill('SIGSTOP');
    // Far longer than any refresh interval: the old lock took over after 2-10 s of silence.
    await withWait(3000, () => rejectsWith(store.createAllResources({ id: 'sb' }), 'ELOCKED'));
    assert.equal(existsSync(journalFile(roots, 'sb')), false, 'nothing appended meanwhile');
    child.kill('SIGCONT');
    child.stdin.write('release\n');
    await once(child, 'exit');
    assert.equal((await store.createAllResources({ id: 'sb' })).seq, 1);
  } finally {
    child.kill('SIGKILL');
    await done();
  }
});

test('lock - writers paused with SIGSTOP while others write never break the journal', async (t) => {
  const { store, root, roots, done } = await tempStore(t);
  try {
    await store.createAllResources({ id: 'sb' });
    const acks: Array<{ sandbox: string; seq: number; hash: string }> = [];
    const worker = startWorker(
      root,
      { mode: 'stores', seed: 1, count: 400, sandboxes: ['sb'] },
      { env: { VCSTORE_LOCK_WAIT_MS: '60000' } },
    );
    await waitFor(() => worker.acks.length > 0, { what: 'the other writer to write' });
    // Pause the worker (often while it holds the lock) for longer than the old stale time, while this process writes.
    let writes = 0;
    for (let round = 0; round < 3 && worker.acks.length < 400; round++) {
      worker.kill('SIGSTOP');
      const pausedWrite = withWait(60_000, () => store.storeSandboxResource('sb', 'state', state(100_000 + round)));
      await elapse(2500);
      worker.kill('SIGCONT');
      await pausedWrite;
      writes++;
    }
    const result = await worker.ended;
    assert.equal(result.code, 0, result.stderr);
    acks.push(...result.acks);
    assert.equal(acks.length, 400);
    t.diagnostic(`${writes} writes made while the other writer was stopped`);
    let count = 0;
    for await (const _ of readEvents(journalFile(roots, 'sb'))) count++;
    assert.ok(count >= 1 + 400 + writes, `every event is in one unbroken chain (${count})`);
    await store.close();
    await checkAfterCrash(root, acks, 'after pauses');
  } finally {
    await done();
  }
});

test('lock - a killed holder does not stall the next writer', async (t) => {
  const { store, roots, done } = await tempStore(t);
  const child = await holder(roots.journal, 'sb');
  try {
    child.kill('SIGKILL');
    await once(child, 'exit');
    // Its death is seen at once from /proc: a writer that may not wait at all (1 ms) still gets the lock.
    assert.equal((await withWait(1, () => store.createAllResources({ id: 'sb' }))).seq, 1);
  } finally {
    await done();
  }
});

test('lock - release leaves alone a lock that is no longer ours, and check says so before a write', async (t) => {
  const { roots, done } = await tempStore(t);
  try {
    const lock = await lockSandbox(roots.journal, 'sb', silentLogger);
    const file = path.join(roots.journal, '@locks', 'sb.lock');
    const theirs = `1.1.${nsOf()}.${bootTag()}.0123456789ab`;
    symlinkSync(theirs, `${file}.new`);
    renameSync(`${file}.new`, file);
    assert.throws(() => lock.check(), { code: 'ECOMPROMISED' });
    await lock.release();
    assert.equal(readlinkSync(file), theirs);
  } finally {
    await done();
  }
});

test('lock - a dead owner, a dead reaper and an owner from an earlier boot are all taken over; a foreign lock is waited for', async (t) => {
  const { store, roots, done } = await tempStore(t);
  try {
    const locks = path.join(roots.journal, '@locks');
    await mkdir(locks, { recursive: true });
    const dead = `${await deadPid()}.1.${nsOf()}.${bootTag()}`;
    symlinkSync(`${dead}.aaaaaaaaaaaa`, path.join(locks, 'sb.lock'));
    // A reaper that died holding the marker, which is named after the dead owner's nonce.
    symlinkSync(`${dead}.bbbbbbbbbbbb`, path.join(locks, 'sb.lock~aaaaaaaaaaaa'));
    await withWait(2000, () => store.createAllResources({ id: 'sb' }));

    // This very process, but as it was in another boot.
    symlinkSync(`${process.pid}.1.${nsOf()}.00000000.cccccccccccc`, path.join(locks, 'sb2.lock'));
    await withWait(2000, () => store.createAllResources({ id: 'sb2' }));

    // Not made by this protocol, and made in this boot: nothing proves its maker dead.
    writeFileSync(path.join(locks, 'sb3.lock'), '');
    await withWait(300, () => rejectsWith(store.createAllResources({ id: 'sb3' }), 'ELOCKED'));
    assert.deepEqual(readdirSync(locks).sort(), ['sb3.lock'], 'no marker or lock left behind');
  } finally {
    await done();
  }
});

const nsOf = () => /\d+/.exec(readlinkSync('/proc/self/ns/pid'))![0];
const bootTag = () => bootId().replaceAll('-', '').slice(0, 8);

test('lock - a regular file where the old lock folder was does not get in the way', async (t) => {
  const { store, roots, done } = await tempStore(t);
  try {
    await mkdir(path.join(roots.journal, '@locks'), { recursive: true });
    writeFileSync(path.join(roots.journal, '@locks', 'sb'), 'not a lock');
    assert.equal((await store.createAllResources({ id: 'sb' })).seq, 1);
    await mkdir(path.join(roots.journal, '@locks', 'sb2.lock'));
    await rejectsWith(store.createAllResources({ id: 'sb2' }), 'EUNSAFEPATH');
  } finally {
    await done();
  }
});
