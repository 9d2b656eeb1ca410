import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Store } from '../../src/store/store.ts';
import { tempStore } from '../helpers/store.ts';

const state = { type: 'State' as const, value: { state: 'ready' } };

/** Every asynchronous method of the Store, called with an ID it must refuse. */
const calls: Record<string, (s: Store) => Promise<unknown>> = {
  createAllResources: (s) => s.createAllResources({ id: '../x' }),
  storeSandboxResource: (s) => s.storeSandboxResource('../x', 'state', state),
  storeContainerResource: (s) => s.storeContainerResource('sb', '../x', 'state', state),
  storeHypervisorState: (s) => s.storeHypervisorState('../x', {}),
  deleteSandboxResources: (s) => s.deleteSandboxResources('../x', null),
  deleteContainerResources: (s) => s.deleteContainerResources('sb', '../x', null),
  fetchSandboxState: (s) => s.fetchSandboxState('../x'),
  fetchContainerProcess: (s) => s.fetchContainerProcess('sb', '../x'),
  recover: (s) => s.recover('../x'),
  adopt: (s) => s.adopt('../x', []),
  observe: (s) => s.observe('../x', ['run/../x']),
  seq: (s) => s.seq('../x'),
};

test('store - an async method given an unsafe ID rejects with a code, never throws synchronously', async (t) => {
  const { store, done } = await tempStore(t);
  t.after(done);
  for (const [name, call] of Object.entries(calls)) {
    let pending: Promise<unknown>;
    try {
      pending = call(store);
    } catch (err) {
      assert.fail(`${name} threw synchronously: ${String(err)}`);
    }
    await assert.rejects(
      pending,
      (err: { code?: string }) => err.code === 'EUNSAFEID' || err.code === 'EUNSAFEPATH',
      name,
    );
  }
});
