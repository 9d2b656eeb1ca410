import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { rootsUnder, type Roots } from '../../src/layout/roots.ts';
import { events } from '../helpers/store.ts';
import { tempDir } from '../helpers/temp.ts';
import { waitFor } from '../helpers/wait.ts';
import { startWatch, stopWatch } from './support.ts';
import { scriptArgv } from '../helpers/script.ts';

const LOCK_HOLDER = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../helpers/lock-holder.ts');
const IDS = ['slow', 'sb1', 'sb2', 'sb3', 'sb4'];

const stateFile = (roots: Roots, id: string) => path.join(roots.run, id, 'state.json');

/** Whether the sandbox's journal holds an observation of this exact content of its state.json. */
async function recorded(roots: Roots, id: string, content: string): Promise<boolean> {
  return (await events(roots, id)).some(
    (e) => e.op === 'observe' && e.path === `run/${id}/state.json` && e.payload === content,
  );
}

/** Another writer (a process of its own) holding one sandbox's lock, until told to let go. */
async function holdLock(roots: Roots, id: string): Promise<{ child: ChildProcess; release(): Promise<void> }> {
  const child = spawn(process.execPath, [...scriptArgv(LOCK_HOLDER), roots.journal, id], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  await waitFor(() => out.includes('locked'), {
    what: `the lock of ${id} to be taken`,
    hopeless: () => (child.exitCode === null ? undefined : `the holder exited with ${child.exitCode}`),
  });
  return {
    child,
    async release() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.stdin?.write('release\n');
      await exited;
    },
  };
}

test("watch slow sandbox - sandboxes written at once, one of them slow to flush (its lock held by another writer): the others' writes are recorded meanwhile, and the slow one's once it is free", async (t) => {
  const root = await tempDir(t, 'watch-slow');
  const roots = rootsUnder(root);
  for (const id of IDS) {
    mkdirSync(path.dirname(stateFile(roots, id)), { recursive: true });
    writeFileSync(stateFile(roots, id), '{"state":"ready"}');
  }
  const watch = await startWatch(root, ['--settle-ms', '50']);
  let holder: Awaited<ReturnType<typeof holdLock>> | undefined;
  try {
    for (const id of IDS) assert.ok((await events(roots, id)).length > 0, `${id} adopted by the first scan`);
    // A live writer holds the slow sandbox's lock: the watcher's flush of it waits for as long as it is held.
    holder = await holdLock(roots, 'slow');
    // The slow sandbox first, so its path settles first and its flush is under way when the others' come.
    const content = (id: string, round: number) => `{"state":"running","id":"${id}","round":${round}}`;
    for (const id of IDS) writeFileSync(stateFile(roots, id), content(id, 1));
    const others = IDS.filter((id) => id !== 'slow');
    const took: number[] = [];
    // Twice: the second round settles while the slow sandbox's flush still waits, and a flush that waited for
    // every sandbox of the one before it would keep the second round waiting too.
    for (const round of [1, 2]) {
      if (round > 1) for (const id of others) writeFileSync(stateFile(roots, id), content(id, round));
      const written = Date.now();
      await waitFor(
        async () => (await Promise.all(others.map((id) => recorded(roots, id, content(id, round))))).every(Boolean),
        {
          what: `the other sandboxes' writes of round ${round} to be recorded while the slow sandbox's lock is held`,
          timeout: 15_000,
          detail: () => watch.stderr().slice(-2000),
        },
      );
      took.push(Date.now() - written);
    }
    // Still held: its write waits, and the others did not wait for it.
    assert.equal(holder.child.exitCode, null);
    assert.equal(
      await recorded(roots, 'slow', content('slow', 1)),
      false,
      'recorded while its lock was held elsewhere',
    );
    t.diagnostic(`the other sandboxes' writes recorded ${took.join(' and ')} ms after they were written`);
    await holder.release();
    // Nothing lost: the slow sandbox's write is recorded once its lock is free.
    await waitFor(() => recorded(roots, 'slow', content('slow', 1)), {
      what: "the slow sandbox's write to be recorded once its lock is free",
      timeout: 15_000,
      detail: () => watch.stderr().slice(-2000),
    });
    for (const id of IDS)
      assert.equal(
        (await events(roots, id)).filter((e) => e.op === 'observe').length,
        id === 'slow' ? 1 : 2,
        `${id}: one observation per write`,
      );
  } finally {
    await holder?.release();
    await stopWatch(watch);
  }
});
