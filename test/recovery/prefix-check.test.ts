import assert from 'node:assert/strict';
import { cp, readFile } from 'node:fs/promises';
import { after, before, test, type TestContext } from 'node:test';
import { journalFile, rootsUnder, type Roots } from '../../src/layout/roots.ts';
import { CHECKPOINT_EVERY, checkpointFile, readCheckpoint } from '../../src/recovery/checkpoint.ts';
import { verifySandbox } from '../../src/recovery/verify.ts';
import { silentLogger } from '../../src/log.ts';
import { Store } from '../../src/store/store.ts';
import { captureLog } from '../journal/support.ts';
import { appendBytes, flipBit, frames, truncateAt, type FrameInfo } from '../helpers/corrupt.ts';
import { rejectsWith } from '../helpers/store.ts';
import { makeTempDir, tempDir } from '../helpers/temp.ts';

/**
 * docs/recovery.md, "Opening from a checkpoint": the records before the
 * checkpoint are checked beside the writer, and nothing is appended (so
 * nothing acknowledged) before that check has passed. Each test damages a
 * copy of one real journal, written by the Store, with a checkpoint event
 * after its first 1000 events and a few events after it.
 */

const state = (i: number) => ({ type: 'State' as const, value: { state: 'running', blockIndex: i } });
const AFTER_CHECKPOINT = 5;

let pristine: { dir: string; remove: () => Promise<void> };

before(async () => {
  pristine = await makeTempDir('prefix-pristine');
  const store = new Store({ roots: rootsUnder(pristine.dir) });
  await store.createAllResources({ id: 'sb', containers: ['c1'] });
  for (let i = 1; i <= CHECKPOINT_EVERY + AFTER_CHECKPOINT; i++)
    await store.storeSandboxResource('sb', 'state', state(i));
  await store.close();
});

after(() => pristine.remove());

/** A copy of the pristine sandbox, its journal's frames, and where its checkpoint record starts. */
async function copyOfJournal(t: TestContext): Promise<{ roots: Roots; file: string; all: FrameInfo[]; at: number }> {
  const dir = await tempDir(t, 'prefix');
  await cp(pristine.dir, dir, { recursive: true });
  const roots = rootsUnder(dir);
  const file = journalFile(roots, 'sb');
  const checkpoint = await readCheckpoint(checkpointFile(file), silentLogger);
  assert.ok(checkpoint, 'the journal has a checkpoint file');
  const all = await frames(file);
  const at = all.findIndex((f) => f.offset === checkpoint.start);
  assert.equal(at, CHECKPOINT_EVERY, 'the checkpoint record is event 1001, with events after it');
  return { roots, file, all, at };
}

const seqOfLast = (all: FrameInfo[]) => all.length;

test('prefix check - a byte damaged before the checkpoint: the store is refused with ECORRUPT at that record, the damage is logged, nothing is appended', async (t) => {
  const { roots, file, all, at } = await copyOfJournal(t);
  // The first record, one in the middle, and the last before the checkpoint; a length, a CRC and a body byte.
  const damaged = [
    { frame: all[0]!, byte: 0 },
    { frame: all[Math.floor(at / 2)]!, byte: 5 },
    { frame: all[at - 1]!, byte: 8 + 20 },
  ];
  for (const { frame, byte } of damaged) {
    const pristineBytes = await readFile(journalFile(rootsUnder(pristine.dir), 'sb'));
    await cp(journalFile(rootsUnder(pristine.dir), 'sb'), file);
    await flipBit(file, frame.offset + byte, 3);
    const before = await readFile(file);
    assert.notDeepEqual(before, pristineBytes);

    const { log, lines } = captureLog();
    const store = new Store({ roots, log });
    try {
      // The open answers from the checkpoint; the check of what lies before it goes on beside it.
      assert.equal(await store.seq('sb'), seqOfLast(all));
      const err = await rejectsWith(store.storeSandboxResource('sb', 'state', state(0)), 'ECORRUPT');
      assert.equal(err.offset, frame.offset, `damage at ${frame.offset}+${byte} is reported at its record`);
      assert.equal(err.file, file);
      const reported = lines.find((l) => l.msg === 'journal damaged before its checkpoint: appends refused');
      assert.ok(reported, 'the writer logs the damage it found');
      assert.equal(reported.level, 50, 'at error level');
      assert.equal(reported.offset, frame.offset);
      // Every later append is refused the same way, a group of stores included.
      const again = await Promise.allSettled([1, 2, 3].map((i) => store.storeSandboxResource('sb', 'state', state(i))));
      for (const r of again) assert.equal(r.status === 'rejected' && (r.reason as { code?: string }).code, 'ECORRUPT');
    } finally {
      await store.close();
    }
    assert.deepEqual(await readFile(file), before, 'nothing was appended or cut');
    // verify, which reads every record from the first, finds the same damage.
    const verdict = await verifySandbox(roots, 'sb');
    assert.equal(verdict.damage?.code, 'ECORRUPT');
    assert.equal(verdict.damage?.offset, frame.offset);
  }
});

test('prefix check - a torn tail after the checkpoint is not cut while the prefix is damaged: the open fails and the file is left as it was', async (t) => {
  const { roots, file, all } = await copyOfJournal(t);
  await flipBit(file, all[10]!.offset + 8 + 3);
  await appendBytes(file, Buffer.from([40, 0, 0, 0, 1, 2, 3, 4, 123])); // a frame that never finished
  const before = await readFile(file);
  const { log, lines } = captureLog();
  const store = new Store({ roots, log });
  try {
    const err = await rejectsWith(store.storeSandboxResource('sb', 'state', state(0)), 'ECORRUPT');
    assert.equal(err.offset, all[10]!.offset);
    assert.ok(lines.some((l) => l.msg === 'journal damaged before its checkpoint: appends refused'));
  } finally {
    await store.close();
  }
  assert.deepEqual(await readFile(file), before, 'the torn tail is still there: no repair of a damaged journal');
});

test('prefix check - an undamaged prefix: the first store after the open is appended once the check has passed, and the chain goes on', async (t) => {
  const { roots, file, all } = await copyOfJournal(t);
  const store = new Store({ roots });
  try {
    const event = await store.storeSandboxResource('sb', 'state', state(0));
    assert.equal(event.seq, seqOfLast(all) + 1);
  } finally {
    await store.close();
  }
  const verdict = await verifySandbox(roots, 'sb');
  assert.equal(verdict.damage, undefined);
  assert.equal(verdict.consistent, true);
  assert.equal(verdict.events, seqOfLast(all) + 1);
  assert.equal((await frames(file)).length, all.length + 1);
});

test('prefix check - a journal cut inside its checkpointed prefix: the writer reads it from the start, cuts the partial record, reports the lost history, then appends after the last whole record', async (t) => {
  const { roots, file, all, at } = await copyOfJournal(t);
  const cutFrame = all[at - 100]!;
  await truncateAt(file, cutFrame.offset + 13); // inside a record: its first 13 bytes are left
  const lostAt = at - 100; // whole records left
  const { log, lines } = captureLog();
  const store = new Store({ roots, log });
  try {
    const event = await store.storeSandboxResource('sb', 'state', state(0));
    // The legacy tree is ahead of what is left: that is recorded first (an observe event), then the store.
    assert.equal(event.seq, lostAt + 2, 'appended after the last whole record and the observation');
    const lost = lines.find((l) => l.msg === 'journal holds fewer events than its checkpoint: history was lost');
    assert.ok(lost, 'the writer reports the lost history before it appends');
    assert.equal(lost.level, 50);
    assert.equal(lost.checkpointSeq, at + 1);
    assert.equal(lost.journalSeq, lostAt);
  } finally {
    await store.close();
  }
  const now = await frames(file);
  assert.deepEqual(
    now.slice(0, lostAt).map((f) => f.offset),
    all.slice(0, lostAt).map((f) => f.offset),
  );
  assert.equal(now[lostAt]!.offset, cutFrame.offset, 'the partial record was cut, and the next one written there');
  // The checkpoint still tells verify (and recover) what was lost.
  const verdict = await verifySandbox(roots, 'sb');
  assert.deepEqual(verdict.lost, { checkpointSeq: at + 1, journalSeq: lostAt + 2 });
});
