import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { journalFile } from '../../src/layout/roots.ts';
import { fileHandlePrototype, withFsPatched, withPatched } from '../helpers/spy.ts';
import { tempStore } from '../helpers/store.ts';
import { waitFor } from '../helpers/wait.ts';

const state = (i: number) => ({ type: 'State' as const, value: { state: 'running', blockIndex: i } });

/** A promise and the function that settles it. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open = () => {};
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

test('overlap - a slow rename in one sandbox does not hold the stores of another', async (t) => {
  const { store, roots, done } = await tempStore(t);
  try {
    await store.createAllResources({ id: 'slow' });
    await store.createAllResources({ id: 'quick' });
    const slowState = path.join(roots.run, 'slow', 'state.json');
    const quickJournal = journalFile(roots, 'quick');
    const quickSync = gate(); // the quick sandbox's first sync waits until the slow one is at its rename
    const slowRename = gate();
    let slowAtRename = false;
    let heldLoop = false;
    const fileOf = (fd: number) => fs.readlinkSync(`/proc/self/fd/${fd}`);

    await withPatched(
      await fileHandlePrototype(),
      'datasync',
      (original) =>
        async function (this: unknown) {
          const fd = (this as { fd: number }).fd;
          if (fileOf(fd) === quickJournal) await quickSync.opened;
          return original.apply(this);
        },
      () =>
        withFsPatched(
          fs,
          'renameSync',
          (original) =>
            function (this: unknown, ...args: unknown[]) {
              if (args[1] === slowState) slowAtRename = heldLoop = true; // nothing else can run meanwhile
              return original.apply(this, args);
            },
          () =>
            withFsPatched(
              fs.promises,
              'rename',
              (original) =>
                async function (this: unknown, ...args: unknown[]) {
                  if (args[1] === slowState) {
                    slowAtRename = true;
                    await slowRename.opened;
                  }
                  return original.apply(this, args);
                },
              async () => {
                const quick = store.storeSandboxResource('quick', 'state', state(1));
                const slow = store.storeSandboxResource('slow', 'state', state(1));
                await waitFor(() => slowAtRename, { what: 'the slow sandbox to reach its rename' });
                quickSync.open();
                await quick;
                // The slow sandbox's rename is still in flight: the quick one goes on storing.
                await store.storeSandboxResource('quick', 'state', state(2));
                await store.storeSandboxResource('quick', 'state', state(3));
                slowRename.open();
                await slow;
              },
            ),
        ),
    );
    assert.equal(heldLoop, false, 'the slow sandbox renamed synchronously while another sandbox was committing');
    assert.match(fs.readFileSync(slowState, 'utf8'), /"blockIndex":1/);
    assert.match(fs.readFileSync(path.join(roots.run, 'quick', 'state.json'), 'utf8'), /"blockIndex":3/);
  } finally {
    await done();
  }
});
