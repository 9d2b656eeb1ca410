import assert from 'node:assert/strict';
import { mkdir, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { events, rejectsWith, tempStore } from '../helpers/store.ts';
import { snapshot } from '../helpers/tree.ts';
import { tempDir } from '../helpers/temp.ts';

const state = { type: 'State' as const, value: { state: 'running' } };

test('projector - never writes or deletes through a symbolic link planted in the legacy tree', async (t) => {
  const { store, roots, done } = await tempStore(t);
  const outside = await tempDir(t, 'outside');
  try {
    await store.createAllResources({ id: 'sb', containers: ['c1'] });
    await mkdir(path.join(outside, 'victim'));
    await writeFile(path.join(outside, 'victim', 'keep.json'), 'precious');
    // Another tool swaps the container folder and a whole sandbox folder for links out of the tree.
    await rm(path.join(roots.run, 'sb', 'c1'), { recursive: true });
    await symlink(path.join(outside, 'victim'), path.join(roots.run, 'sb', 'c1'));
    await mkdir(path.join(roots.run, 'sb2-target'));
    await symlink(outside, path.join(roots.run, 'linked'));
    const before = await events(roots, 'sb');

    const err = await rejectsWith(store.storeContainerResource('sb', 'c1', 'state', state), 'EUNSAFEPATH');
    assert.match(err.message, /symbolic link .*\/c1/);
    await rejectsWith(store.storeSandboxResource('linked', 'state', state), 'EUNSAFEPATH');
    await rejectsWith(store.createAllResources({ id: 'linked', containers: ['victim'] }), 'EUNSAFEPATH');
    await rejectsWith(store.deleteContainerResources('linked', 'victim', null), 'EUNSAFEPATH');

    assert.deepEqual(await readdir(path.join(outside, 'victim')), ['keep.json']);
    assert.deepEqual(await events(roots, 'sb'), before, 'nothing appended');
    assert.deepEqual(await events(roots, 'linked'), []);
    // Removing the container whose folder is a link removes the link, not what it points to.
    await store.deleteContainerResources('sb', 'c1', ['state']);
    assert.deepEqual(await readdir(path.join(outside, 'victim')), ['keep.json']);
    assert.equal((await snapshot(roots.run)).has('sb/c1'), false);
  } finally {
    await done();
  }
});
