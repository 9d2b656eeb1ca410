/**
 * A local report reads the journal once, verifying it and replaying it in
 * the same pass (make.ts). It must say what the two reads it replaced say:
 * `verifySandbox`'s verdict, then a replay up to the point asked for.
 */
import assert from 'node:assert/strict';
import { stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { journalFile, type Roots } from '../../src/layout/roots.ts';
import { verifySandbox } from '../../src/recovery/verify.ts';
import { localReport, reportOf, type MakeOptions } from '../../src/report/make.ts';
import { flipBit, frames, truncateAt } from '../helpers/corrupt.ts';
import { rejectsWith, tempStore } from '../helpers/store.ts';

const now = new Date('2026-12-01T00:00:00.000Z');

/** The report from one read, and from verify's read then a replay, as the report was made before. */
async function bothWays(roots: Roots, opts: Omit<MakeOptions, 'from' | 'now'> = {}) {
  const make = { from: 'test', now, ...opts };
  const one = await localReport(roots, 'sb', make);
  const two = await reportOf(
    journalFile(roots, 'sb'),
    'sb',
    await verifySandbox(roots, 'sb'),
    'journal and tree',
    make,
  );
  return { one, two };
}

/** A sandbox with a container, `n` stores after its create. */
async function history(t: TestContext, n: number) {
  const { store, roots, done } = await tempStore(t);
  await store.createAllResources({ id: 'sb', containers: ['c1'] });
  const writes: Promise<unknown>[] = [];
  for (let i = 0; i < n; i++)
    writes.push(
      i % 2 === 0
        ? store.storeSandboxResource('sb', 'state', { type: 'State', value: { state: i % 4 ? 'running' : 'ready' } })
        : store.storeContainerResource('sb', 'c1', 'state', {
            type: 'State',
            value: { state: 'paused', blockIndex: i },
          }),
    );
  await Promise.all(writes);
  await done();
  return { roots, file: journalFile(roots, 'sb') };
}

test('report one read - a clean journal, whole and up to a point, as verify and a replay say', async (t) => {
  const { roots, file } = await history(t, 12);
  const whole = await bothWays(roots);
  assert.equal(whole.one.verify.clean, true);
  assert.deepEqual(whole.one, whole.two);
  const at = await bothWays(roots, { point: { seq: 5 } });
  assert.equal(at.one.events.length, 5);
  assert.deepEqual(at.one, at.two);
  const time = whole.one.events[7]!.time;
  assert.deepEqual((await bothWays(roots, { point: { time } })).one, (await bothWays(roots, { point: { time } })).two);
  const after = await bothWays(roots, { after: 9 });
  assert.deepEqual(after.one, after.two);
  // A point the journal does not reach is refused, as `show --at` refuses it.
  await rejectsWith(localReport(roots, 'sb', { from: 'test', point: { seq: 99 } }), 'EUSAGE');
  assert.ok((await stat(file)).size > 0);
});

test('report one read - a torn tail, a changed tree, damage: the same verdict and findings', async (t) => {
  const torn = await history(t, 6);
  await truncateAt(torn.file, (await stat(torn.file)).size - 5);
  const a = await bothWays(torn.roots);
  assert.match(a.one.verify.problems.join(), /torn tail/);
  assert.deepEqual(a.one, a.two);

  const drift = await history(t, 6);
  await writeFile(path.join(drift.roots.run, 'sb', 'state.json'), '{"state":"edited by hand"}');
  const b = await bothWays(drift.roots);
  assert.equal(b.one.verify.clean, false);
  assert.deepEqual(b.one, b.two);

  const damaged = await history(t, 6);
  const third = (await frames(damaged.file))[3]!;
  await flipBit(damaged.file, third.offset + 20);
  const c = await bothWays(damaged.roots);
  assert.equal(c.one.events.length, 3);
  assert.ok(c.one.findings.some((f) => f.kind === 'damage'));
  assert.deepEqual(c.one, c.two);
});

test('report one read - history lost behind a checkpoint: the same verdict', async (t) => {
  const { roots, file } = await history(t, 1010); // the writer checkpoints after 1000 events
  const kept = (await frames(file))[500]!;
  await truncateAt(file, kept.offset);
  const { one, two } = await bothWays(roots);
  assert.match(one.verify.problems.join(), /history lost/);
  assert.deepEqual(one, two);
});
