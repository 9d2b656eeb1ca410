import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { JournalWriter } from '../../src/store/session/journal-writer.ts';
import { encodePayload } from '../../src/legacy/payloads.ts';
import { journalFile } from '../../src/layout/roots.ts';
import { Store } from '../../src/store/store.ts';
import { snapshot } from '../helpers/tree.ts';
import { events, rejectsWith, tempStore } from '../helpers/store.ts';

const state = (s: string) => ({ type: 'State' as const, value: { state: s } });

test('store - every successful mutating call appends exactly one event, a failed one none', async (t) => {
  const { store, roots, done } = await tempStore(t);
  try {
    await store.createAllResources({ id: 'sb', containers: ['c1'] });
    await store.storeSandboxResource('sb', 'state', state('ready'));
    await store.storeContainerResource('sb', 'c1', 'state', state('running'));
    await rejectsWith(store.storeContainerResource('sb', 'missing', 'state', state('x')), 'ENOENT');
    // @ts-expect-error -- a State stored as config, on purpose
    await rejectsWith(store.storeSandboxResource('sb', 'config', state('x')), 'EINVALIDRESOURCE');
    await store.deleteContainerResources('sb', 'c1', null);
    await store.deleteSandboxResources('sb', []);
    const log = await events(roots, 'sb');
    assert.deepEqual(
      log.map((e) => [e.seq, e.op, e.resource ?? e.resources ?? e.containers]),
      [
        [1, 'create', ['c1']],
        [2, 'store', 'state'],
        [3, 'store', 'state'],
        [4, 'delete', ['config', 'state']],
        [5, 'delete', []],
      ],
    );
    assert.equal(log[2]!.container, 'c1');
    assert.equal(log[2]!.payload, '{"state":"running","blockIndex":0,"fstype":"","hotpluggedDrive":false}');
  } finally {
    await done();
  }
});

test('store - the legacy file holds the payload bytes of the last event', async (t) => {
  const { store, roots, done } = await tempStore(t);
  try {
    await store.createAllResources({ id: 'sb' });
    const event = await store.storeSandboxResource('sb', 'state', state('paused'));
    const file = store.sandboxURI('sb', 'state').path;
    assert.equal(await readFile(file, 'utf8'), event.payload);
    assert.equal(file, path.join(roots.run, 'sb', 'state.json'));
  } finally {
    await done();
  }
});

test('store - a value that cannot be encoded fails before anything is written and the old file survives', async (t) => {
  const { store, roots, done } = await tempStore(t);
  try {
    await store.createAllResources({ id: 'sb' });
    await store.storeAgentState('sb', { ProxyPid: 1, URL: 'u' });
    const before = await snapshot(path.dirname(roots.config));
    const seq = (await events(roots, 'sb')).length;
    const err = await rejectsWith(store.storeAgentState('sb', { bad: Number.POSITIVE_INFINITY }), 'EMARSHAL');
    assert.equal(err.message, 'Could not marshall data: json: unsupported value: +Inf');
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    await rejectsWith(store.storeHypervisorState('sb', cycle), 'EMARSHAL');
    await rejectsWith(
      store.storeContainerProcess('sb', 'sb', { StartTime: '10000-01-01T00:00:00Z' }),
      'ENOENT', // the folder check comes first, as os.Create came first
    );
    assert.deepEqual(await snapshot(path.dirname(roots.config)), before);
    assert.equal((await events(roots, 'sb')).length, seq);
    assert.deepEqual(await store.fetchAgentState('sb', 'KataAgentState'), { ProxyPid: 1, URL: 'u' });
  } finally {
    await done();
  }
});

test('store - a payload that fails its schema is refused with the field and nothing is written', async (t) => {
  const { store, root, roots, done } = await tempStore(t);
  try {
    await store.createAllResources({ id: 'sb', containers: ['c'] });
    const before = await snapshot(root);
    const err = await rejectsWith(
      // @ts-expect-error -- a string where Go has an int, on purpose
      store.storeSandboxResource('sb', 'state', { type: 'State', value: { state: 'ready', blockIndex: 'one' } }),
      'EPAYLOAD',
    );
    assert.match(err.message, /blockIndex/);
    await rejectsWith(store.storeContainerProcess('sb', 'c', { Pid: 2 ** 64 }), 'EPAYLOAD');
    // The types refuse these too; the schemas refuse them at run time for untyped callers.
    // @ts-expect-error Options is a []string
    await rejectsWith(store.storeContainerMounts('sb', 'c', [{ Options: 'rw' }]), 'EPAYLOAD');
    // @ts-expect-error no such device type
    await rejectsWith(store.storeContainerDevices('sb', 'c', [{ type: 'UsbDevice', value: {} }]), 'EPAYLOAD');
    assert.deepEqual(await snapshot(root), before);
    assert.equal((await events(roots, 'sb')).length, 1);
  } finally {
    await done();
  }
});

test('store - unsafe IDs are refused before anything is written', async (t) => {
  const { store, root, done } = await tempStore(t);
  try {
    await store.createAllResources({ id: 'sb', containers: ['c'] });
    const before = await snapshot(root);
    const unsafe = ['.', '..', '../x', 'a/b', 'x\0y', 'é', 'a b', 'x'.repeat(129)];
    for (const id of unsafe) {
      await rejectsWith(store.createAllResources({ id }), 'EUNSAFEID');
      await rejectsWith(store.createAllResources({ id: 'sb', containers: [id] }), 'EUNSAFEID');
      await rejectsWith(store.storeSandboxResource(id, 'state', state('x')), 'EUNSAFEID');
      await rejectsWith(store.storeContainerResource('sb', id, 'state', state('x')), 'EUNSAFEID');
      await rejectsWith(store.deleteSandboxResources(id, null), 'EUNSAFEID');
      await rejectsWith(store.deleteContainerResources('sb', id, null), 'EUNSAFEID');
      await rejectsWith(store.fetchSandboxState(id), 'EUNSAFEID');
      assert.throws(() => store.sandboxURI(id, 'state'), { code: 'EUNSAFEID' });
    }
    await rejectsWith(store.deleteContainerResources('sb', '', null), 'ENEEDCONTAINERID');
    await rejectsWith(store.createAllResources({ id: 'sb', containers: [''] }), 'ENEEDCONTAINERID');
    assert.deepEqual(await snapshot(root), before);
    await store.createAllResources({ id: 'A-z_0.9+x', containers: ['x'.repeat(128)] });
  } finally {
    await done();
  }
});

test('store - a delete with an invalid resource anywhere in the list removes nothing', async (t) => {
  const { store, root, done } = await tempStore(t);
  try {
    await store.createAllResources({ id: 'sb', containers: ['c'] });
    await store.storeSandboxResource('sb', 'state', state('ready'));
    const before = await snapshot(root);
    // @ts-expect-error -- a resource number, on purpose
    await rejectsWith(store.deleteSandboxResources('sb', ['config', 42, 'state']), 'EINVALIDRESOURCE');
    // @ts-expect-error -- an unknown resource, on purpose
    await rejectsWith(store.deleteContainerResources('sb', 'c', ['state', 'nope']), 'EINVALIDRESOURCE');
    assert.deepEqual(await snapshot(root), before);
  } finally {
    await done();
  }
});

test('store - createAllResources blocked by a file makes nothing and keeps the sandbox', async (t) => {
  const { store, root, roots, done } = await tempStore(t);
  try {
    await store.createAllResources({ id: 'sb', containers: ['c'] });
    await store.storeSandboxResource('sb', 'state', state('running'));
    await writeFile(path.join(roots.run, 'sb', 'blocked'), 'not a dir');
    const before = await snapshot(root);
    const err = await rejectsWith(store.createAllResources({ id: 'sb', containers: ['c', 'blocked'] }), 'ENOTDIR');
    assert.equal(err.message, `mkdir ${path.join(roots.run, 'sb', 'blocked')}: not a directory`);
    assert.deepEqual(await snapshot(root), before);
  } finally {
    await done();
  }
});

test('store - optimistic concurrency refuses a write when the sandbox moved on', async (t) => {
  const { store, roots, done } = await tempStore(t);
  try {
    const created = await store.createAllResources({ id: 'sb' });
    await store.storeSandboxResource('sb', 'state', state('ready'), { expectSeq: created.seq });
    const err = await rejectsWith(
      store.storeSandboxResource('sb', 'state', state('x'), { expectSeq: created.seq }),
      'ECONFLICT',
    );
    assert.match(err.message, /at event 2, not 1/);
    assert.equal((await events(roots, 'sb')).length, 2);
  } finally {
    await done();
  }
});

test('store - opening a sandbox rebuilds legacy files that disagree with the journal', async (t) => {
  const { store, roots, done } = await tempStore(t);
  try {
    await store.createAllResources({ id: 'sb', containers: ['c'] });
    await store.storeSandboxResource('sb', 'state', state('ready'));
    await store.close();
    // The crash window: an event durable in the journal whose legacy file was never written.
    const journal = await JournalWriter.open(journalFile(roots, 'sb'));
    const payload = encodePayload('State', { state: 'running' });
    await journal.append({ op: 'store', sandbox: 'sb', container: 'c', resource: 'state', payload });
    await journal.close();
    const stateFile = path.join(roots.run, 'sb', 'state.json');
    await writeFile(stateFile, '{"state":"rea'); // and a torn file from a writer that bypassed vcstore

    const reopened = new Store({ roots });
    await reopened.storeHypervisorState('sb', null);
    assert.equal(await readFile(path.join(roots.run, 'sb', 'c', 'state.json'), 'utf8'), payload);
    assert.equal(await readFile(stateFile, 'utf8'), encodePayload('State', { state: 'ready' }));
    await reopened.close();
  } finally {
    await done();
  }
});

test('store - stores on different sandboxes run side by side and each journal stays contiguous', async (t) => {
  const { store, roots, done } = await tempStore(t);
  try {
    const ids = ['a', 'b', 'c'];
    await Promise.all(ids.map((id) => store.createAllResources({ id })));
    await Promise.all(
      ids.flatMap((id) =>
        Array.from({ length: 10 }, (_, i) => store.storeSandboxResource(id, 'state', state(`s${i}`))),
      ),
    );
    for (const id of ids) {
      const log = await events(roots, id);
      assert.deepEqual(
        log.map((e) => e.seq),
        Array.from({ length: 11 }, (_, i) => i + 1),
      );
      assert.equal(await readFile(store.sandboxURI(id, 'state').path, 'utf8'), log.at(-1)!.payload);
    }
  } finally {
    await done();
  }
});
