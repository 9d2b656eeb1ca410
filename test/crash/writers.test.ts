import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readEvents } from '../../src/journal/reader.ts';
import { journalFile, rootsUnder } from '../../src/layout/roots.ts';
import { verify } from '../../src/recovery/verify.ts';
import { Store } from '../../src/store/store.ts';
import { runWorker, startWorker } from '../helpers/crash.ts';
import { waitFor } from '../helpers/wait.ts';
import { tempDir } from '../helpers/temp.ts';

const PROCESSES = 4;
const STORES = 25;

async function seqs(root: string, sandbox: string): Promise<number[]> {
  const out: number[] = [];
  for await (const event of readEvents(journalFile(rootsUnder(root), sandbox))) out.push(event.seq);
  return out;
}

test(`writers - ${PROCESSES} processes x ${STORES} stores on one sandbox and on several: every event once, in one chain`, async (t) => {
  const root = await tempDir(t, 'writers');
  const store = new Store({ roots: rootsUnder(root) });
  for (const id of ['shared', 'own-0', 'own-1']) await store.createAllResources({ id });
  await store.close();

  const runs = await Promise.all(
    Array.from({ length: PROCESSES }, (_, p) =>
      runWorker(root, {
        mode: 'stores',
        seed: p,
        count: STORES,
        sandboxes: p < 2 ? ['shared'] : ['shared', `own-${p - 2}`],
      }),
    ),
  );
  for (const run of runs) assert.equal(run.code, 0, run.stderr);
  const acks = runs.flatMap((r) => r.acks);
  assert.equal(acks.length, PROCESSES * STORES);

  for (const id of ['shared', 'own-0', 'own-1']) {
    const events = await seqs(root, id); // readEvents checks every CRC and the chain
    const expected = 1 + acks.filter((a) => a.sandbox === id).length;
    assert.deepEqual(
      events,
      Array.from({ length: expected }, (_, i) => i + 1),
      `${id}: contiguous, no duplicate`,
    );
    assert.deepEqual(
      acks
        .filter((a) => a.sandbox === id)
        .map((a) => a.seq)
        .sort((a, b) => a - b),
      events.slice(1),
      `${id}: each acknowledged seq appears once`,
    );
  }
  const report = await verify(rootsUnder(root));
  assert.ok(report.consistent, JSON.stringify(report));
});

test('writers - a busy writer does not starve another process on the same sandbox', async (t) => {
  const root = await tempDir(t, 'fair');
  const store = new Store({ roots: rootsUnder(root) });
  await store.createAllResources({ id: 'shared' });
  await store.close();
  // A writes without pause until it is killed; B, started once A is writing, must get its turns meanwhile.
  const busy = startWorker(root, { mode: 'stores', seed: 1, count: 1_000_000, sandboxes: ['shared'] });
  try {
    await waitFor(() => busy.acks.length > 0, { what: 'the busy writer to write' });
    const polite = await runWorker(root, { mode: 'stores', seed: 2, count: 20, sandboxes: ['shared'] });
    assert.equal(polite.code, 0, polite.stderr);
    assert.equal(polite.acks.length, 20);
    // A is still writing after B's last event: B got the lock between A's groups, not after A was gone.
    const politeLast = Math.max(...polite.acks.map((a) => a.seq));
    await waitFor(() => busy.acks.some((a) => a.seq > politeLast), {
      what: `the busy writer to write after #${politeLast}`,
    });
    assert.ok(
      busy.acks.some((a) => a.seq < Math.min(...polite.acks.map((p) => p.seq))),
      'the busy writer wrote before the polite one',
    );
    busy.kill();
    assert.equal((await busy.ended).signal, 'SIGKILL', 'the busy writer ran until it was killed');
  } finally {
    busy.kill();
    await busy.ended;
  }
});
