import assert from 'node:assert/strict';
import { readdir, readFile, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import stringify from 'fast-json-stable-stringify';
import { JournalWriter } from '../../src/store/session/journal-writer.ts';
import { journalFile, type Roots } from '../../src/layout/roots.ts';
import { silentLogger } from '../../src/log.ts';
import { diskPath } from '../../src/layout/tree-path.ts';
import { TreeModel } from '../../src/projector/tree-model.ts';
import { verifySandbox } from '../../src/recovery/verify.ts';
import { CHECKPOINT_EVERY, checkpointFile, provesCheckpoint, readCheckpoint } from '../../src/recovery/checkpoint.ts';
import { Store } from '../../src/store/store.ts';
import { flipBit, frame, frames } from '../helpers/corrupt.ts';
import { events, rejectsWith, tempStore } from '../helpers/store.ts';

const state = (i: number) => ({ type: 'State' as const, value: { state: 'running', blockIndex: i } });

/** A sandbox with a checkpoint event and its file, and a few events after it. */
async function checkpointed(store: Store, roots: Roots): Promise<{ file: string; cpFile: string }> {
  await store.createAllResources({ id: 'sb', containers: ['c1'] });
  for (let i = 1; i < CHECKPOINT_EVERY + 5; i++) await store.storeSandboxResource('sb', 'state', state(i));
  await store.close();
  const file = journalFile(roots, 'sb');
  return { file, cpFile: checkpointFile(file) };
}

test('checkpoint - a checkpoint event commits to the tree every 1000 events; a reopen reads only what follows it', async (t) => {
  const { store, roots, done } = await tempStore(t);
  try {
    const { file, cpFile } = await checkpointed(store, roots);
    const all = await events(roots, 'sb');
    const marks = all.filter((e) => e.op === 'checkpoint');
    assert.deepEqual(
      marks.map((e) => [e.seq, e.v]),
      [[CHECKPOINT_EVERY + 1, 2]],
    );
    const checkpoint = (await readCheckpoint(cpFile, silentLogger))!;
    assert.equal(checkpoint.seq, CHECKPOINT_EVERY + 1);
    assert.equal(marks[0]!.digest, TreeModel.from(checkpoint.model).digest());

    let read = 0;
    const saved = TreeModel.from(checkpoint.model);
    const writer = await JournalWriter.open(file, {
      resume: { ...checkpoint, accepts: (e) => provesCheckpoint(e, saved) },
      onEvent: () => read++,
    });
    assert.equal(writer.resumed, true);
    assert.equal(read, all.length - checkpoint.seq);
    await writer.close();
  } finally {
    await done();
  }
});

test('checkpoint - a forged tree, even with every field consistent, is never projected or fetched', async (t) => {
  const { store, roots, done } = await tempStore(t);
  try {
    const { cpFile } = await checkpointed(store, roots);
    const stateFile = path.join(roots.run, 'sb', 'state.json');
    const expected = await readFile(stateFile, 'utf8');
    const good = JSON.parse(await readFile(cpFile, 'utf8'));
    const forge = (edit: (files: Record<string, string>) => void) => {
      const cp = structuredClone(good);
      edit(cp.model.files);
      return stringify(cp);
    };
    for (const text of [
      forge((files) => (files['run/sb/state.json'] = '"FORGED"')),
      forge((files) => (files['journal/sb/journal.log'] = 'gone')),
      forge((files) => (files['config/sb/../../x'] = 'escaped')),
    ]) {
      await writeFile(cpFile, text);
      const reopened = new Store({ roots });
      await reopened.storeSandboxResource('sb', 'state', state(7));
      assert.deepEqual(await reopened.fetchSandboxState('sb'), {
        state: 'running',
        blockIndex: 7,
        fstype: '',
        hotpluggedDrive: false,
      });
      await reopened.close();
      assert.equal((await verifySandbox(roots, 'sb')).consistent, true);
      assert.ok((await events(roots, 'sb')).length > CHECKPOINT_EVERY, 'the journal is intact');
    }
    assert.notEqual(await readFile(stateFile, 'utf8'), expected);
  } finally {
    await done();
  }
});

test('checkpoint - the projector refuses any tree path outside the legacy roots', () => {
  const roots = { config: '/c', run: '/r', journal: '/j' };
  for (const bad of ['journal/sb/journal.log', 'config/../j/sb', 'run/sb/../../x', 'run', 'config//x', '/etc/passwd']) {
    assert.throws(() => diskPath(roots, bad), { code: 'EUNSAFEPATH' }, bad);
  }
  assert.equal(diskPath(roots, 'run/..x/state.json'), '/r/..x/state.json');
});

test('checkpoint - after a cut to zero records no ghost tree comes back, and the lost history is reported', async (t) => {
  const { store, roots, done } = await tempStore(t);
  try {
    const { file, cpFile } = await checkpointed(store, roots);
    await truncate(file, 0);
    assert.deepEqual((await verifySandbox(roots, 'sb')).lost, { checkpointSeq: CHECKPOINT_EVERY + 1, journalSeq: 0 });
    const recovery = await store.recover('sb');
    assert.deepEqual(recovery.lost, { checkpointSeq: CHECKPOINT_EVERY + 1, journalSeq: 0 });
    assert.deepEqual(recovery.rebuilt, []);
    assert.ok(recovery.leftovers.length > 0, 'the files no event explains are reported');
    assert.equal(await readCheckpoint(cpFile, silentLogger), undefined, 'the checkpoint that lied is gone');
    await store.close();
    assert.equal((await readFile(file)).length, 0, 'nothing was written from the old checkpoint');
  } finally {
    await done();
  }
});

test('checkpoint - a journal cut at a record boundary behind its checkpoint is reported as lost history', async (t) => {
  const { store, roots, done } = await tempStore(t);
  try {
    const { file } = await checkpointed(store, roots);
    const all = await frames(file);
    await truncate(file, all[500]!.offset);
    const verdict = await verifySandbox(roots, 'sb');
    assert.equal(verdict.consistent, false);
    assert.deepEqual(verdict.lost, { checkpointSeq: CHECKPOINT_EVERY + 1, journalSeq: 500 });
    assert.deepEqual((await store.recover('sb')).lost, { checkpointSeq: CHECKPOINT_EVERY + 1, journalSeq: 500 });
  } finally {
    await done();
  }
});

test('checkpoint - writers refuse a journal damaged before the checkpoint; verify also finds a re-framed edit there', async (t) => {
  const { store, roots, done } = await tempStore(t);
  try {
    const { file } = await checkpointed(store, roots);
    const pristine = await readFile(file);
    const tenth = (await frames(file))[9]!;

    await flipBit(file, tenth.offset + 20);
    const damaged = await readFile(file);
    const reopened = new Store({ roots });
    await rejectsWith(reopened.storeSandboxResource('sb', 'state', state(1)), 'ECORRUPT');
    await reopened.close();
    assert.deepEqual(await readFile(file), damaged, 'nothing appended');

    // The same record edited and framed again with a valid CRC: only the chain shows it, and verify checks every link.
    const edited = Buffer.from(tenth.body.toString('utf8').replace('blockIndex\\":9', 'blockIndex\\":8'));
    assert.notDeepEqual(edited, tenth.body);
    await writeFile(
      file,
      Buffer.concat([pristine.subarray(0, tenth.offset), frame(edited), pristine.subarray(tenth.offset + tenth.size)]),
    );
    const verdict = await verifySandbox(roots, 'sb');
    assert.equal(verdict.damage?.code, 'ECHAIN');
    assert.equal(verdict.damage?.offset, (await frames(file))[10]!.offset);
  } finally {
    await done();
  }
});

test('checkpoint - recover removes the temp files of an interrupted checkpoint write', async (t) => {
  const { store, roots, done } = await tempStore(t);
  try {
    await store.createAllResources({ id: 'sb' });
    const dir = path.dirname(journalFile(roots, 'sb'));
    await writeFile(path.join(dir, 'checkpoint.json.123.456.tmp'), '{"v":2,');
    const recovery = await store.recover('sb');
    assert.deepEqual(recovery.temps, ['checkpoint.json.123.456.tmp']);
    assert.deepEqual(await readdir(dir), ['journal.log']);
  } finally {
    await done();
  }
});

test('checkpoint - a model state round-trips and its digest changes with any file', () => {
  const model = new TreeModel();
  model.apply({
    v: 1,
    seq: 1,
    time: '2026-01-01T00:00:00.000Z',
    pid: 1,
    boot: 'b',
    op: 'create',
    sandbox: 'sb',
    containers: ['c'],
    prev: '',
  });
  const copy = TreeModel.from(model.toJSON());
  assert.equal(copy.digest(), model.digest());
  copy.files.set('run/sb/state.json', '{}');
  assert.notEqual(copy.digest(), model.digest());
  assert.equal(diskPath({ config: '/c', run: '/r', journal: '/j' }, 'config/sb/c'), '/c/sb/c');
});
