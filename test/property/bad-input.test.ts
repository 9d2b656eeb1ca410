/**
 * Random bad arguments are refused with the code of what is wrong, before
 * anything is written: the whole root, journal bytes included, is unchanged.
 */
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { readFile } from 'node:fs/promises';
import { test, type TestContext } from 'node:test';
import fc from 'fast-check';
import { StoreError } from '../../src/errors.ts';
import { RESOURCES } from '../../src/layout/resources.ts';
import { journalFile } from '../../src/layout/roots.ts';
import type { Store } from '../../src/store/store.ts';
import {
  badPayload,
  badResource,
  badType,
  oversized,
  trickyKeys,
  unmarshalable,
  unsafeId,
  type Call,
} from '../helpers/bad-values.ts';
import { tempStore } from '../helpers/store.ts';
import { snapshot } from '../helpers/tree.ts';

/** VCSTORE_PROPERTY_RUNS=1000 for a long run. */
const RUNS = Number(process.env.VCSTORE_PROPERTY_RUNS ?? 100);
const STATE = { type: 'State' as const, value: { state: 'ready' } };
const anything = fc.oneof(
  fc.jsonValue({ maxDepth: 1 }),
  fc.constantFrom(undefined, STATE, { type: 'Process', value: {} }),
);
const anyResource = fc.oneof(fc.constantFrom(...RESOURCES), badResource);

/** Calls with `id` as the sandbox ID, the other arguments valid (or anything, where the ID is checked first). */
const withSandboxID = (id: string, rest: unknown, resource: unknown): Call[] => [
  ['createAllResources', { id, containers: ['c'] }],
  ['storeSandboxResource', id, resource, rest],
  ['storeContainerResource', id, 'c', resource, rest],
  ['storeHypervisorState', id, rest],
  ['storeAgentState', id, rest],
  ['storeContainerProcess', id, 'c', rest],
  ['deleteSandboxResources', id, null],
  ['deleteContainerResources', id, 'c', ['state']],
  ['fetchSandboxState', id],
  ['fetchContainerDevices', id, 'c'],
  ['sandboxURI', id, 'state'],
];
const withContainerID = (id: string, rest: unknown, resource: unknown): Call[] => [
  ['createAllResources', { id: 'sb', containers: ['c', id] }],
  ['storeContainerResource', 'sb', id, resource, rest],
  ['storeContainerMounts', 'sb', id, rest],
  ['deleteContainerResources', 'sb', id, null],
  ['fetchContainerProcess', 'sb', id],
  ['containerURI', 'sb', id, 'state'],
];
const callWith = (
  ids: fc.Arbitrary<string>,
  calls: (id: string, rest: unknown, resource: unknown) => Call[],
  valid = false,
) =>
  fc
    .tuple(ids, valid ? fc.constant(STATE) : anything, valid ? fc.constant('state') : anyResource)
    .chain(([id, rest, r]) => fc.constantFrom(...calls(id, rest, r)));

async function withSandbox(
  t: TestContext,
  fn: (store: Store, refused: (call: Call, codes: string[]) => Promise<void>) => Promise<void>,
) {
  const { store, root, roots, done } = await tempStore(t);
  try {
    await store.createAllResources({ id: 'sb', containers: ['c'] });
    await store.storeSandboxResource('sb', 'state', STATE);
    await store.storeContainerProcess('sb', 'c', { Pid: 7 });
    await store.storeAgentState('sb', { url: 'vsock://1' });
    const everything = async () => ({
      tree: await snapshot(root),
      journal: (await readFile(journalFile(roots, 'sb'))).toString('hex'),
    });
    await fn(store, async ([method, ...args], codes) => {
      const before = await everything();
      const error = await Promise.resolve()
        .then(() => (store[method] as (...a: unknown[]) => unknown)(...args))
        .then(
          () => undefined,
          (err: unknown) => err,
        );
      assert.ok(
        error instanceof StoreError,
        `${method} should fail with a StoreError, got ${error === undefined ? 'success' : inspect(error)}`,
      );
      assert.ok(
        codes.includes(error.code),
        `${method}: expected ${codes.join(' or ')}, got ${error.code}: ${error.message}`,
      );
      assert.deepEqual(await everything(), before, `${method} (${error.code}) changed the tree or the journal`);
    });
  } finally {
    await done();
  }
}

const property = <T>(arb: fc.Arbitrary<T>, check: (v: T) => Promise<void>) =>
  fc.assert(fc.asyncProperty(arb, check), { numRuns: RUNS, includeErrorInReport: true });

test('bad input - unsafe sandbox and container IDs are refused with EUNSAFEID and change nothing', (t) =>
  withSandbox(t, async (_store, refused) => {
    const calls = fc.oneof(callWith(unsafeId, withSandboxID, true), callWith(unsafeId, withContainerID, true));
    await property(calls, (call) => refused(call, ['EUNSAFEID']));
  }));

test('bad input - an empty sandbox or container ID is refused first, whatever the other arguments', (t) =>
  withSandbox(t, async (_store, refused) => {
    await property(callWith(fc.constant(''), withSandboxID), (call) => refused(call, ['ENEEDSANDBOXID']));
    await property(callWith(fc.constant(''), withContainerID), (call) => refused(call, ['ENEEDCONTAINERID']));
  }));

test('bad input - invalid resources, lock as a store target and a type in the wrong slot are EINVALIDRESOURCE', (t) =>
  withSandbox(t, async (_store, refused) => {
    const valid = fc.array(fc.constantFrom(...RESOURCES), { maxLength: 2 });
    const calls = fc.oneof(
      badResource.map((r): Call => ['storeSandboxResource', 'sb', r, STATE]),
      badResource.map((r): Call => ['storeContainerResource', 'sb', 'c', r, STATE]),
      badResource.map((r): Call => ['sandboxURI', 'sb', r]),
      // the whole list is checked before any folder is removed
      fc.tuple(valid, badResource, valid).map(([a, r, b]): Call => ['deleteSandboxResources', 'sb', [...a, r, ...b]]),
      fc
        .tuple(valid, badResource, valid)
        .map(([a, r, b]): Call => ['deleteContainerResources', 'sb', 'c', [...a, r, ...b]]),
      fc
        .tuple(fc.constantFrom('lock', 'lockFileType', 6), anything)
        .map(([r, d]): Call => ['storeSandboxResource', 'sb', r, d]),
      fc
        .tuple(fc.constantFrom('lock', 'lockFileType', 6), anything)
        .map(([r, d]): Call => ['storeContainerResource', 'sb', 'c', r, d]),
      fc
        .constantFrom('config', 'network', 'hypervisor', 'agent', 'process')
        .map((r): Call => ['storeSandboxResource', 'sb', r, STATE]),
    );
    await property(calls, (call) => refused(call, ['EINVALIDRESOURCE']));
  }));

test('bad input - a value of an unknown Go type is refused with EINVALIDDATATYPE and changes nothing', (t) =>
  withSandbox(t, async (_store, refused) => {
    const slot = fc.constantFrom('config', 'state', 'network', 'process', 'mounts', 'devices', 'hypervisor', 'agent');
    const calls = fc.oneof(
      fc.tuple(slot, badType).map(([r, d]): Call => ['storeSandboxResource', 'sb', r, d]),
      fc.tuple(slot, badType).map(([r, d]): Call => ['storeContainerResource', 'sb', 'c', r, d]),
    );
    await property(calls, (call) => refused(call, ['EINVALIDDATATYPE']));
  }));

test('bad input - payloads of the wrong shape or out of range are refused with EPAYLOAD and change nothing', (t) =>
  withSandbox(t, async (_store, refused) => {
    const calls = fc.oneof(
      badPayload.map(([r, d]): Call => ['storeSandboxResource', 'sb', r, d]),
      badPayload.map(([r, d]): Call => ['storeContainerResource', 'sb', 'c', r, d]),
    );
    await property(calls, (call) => refused(call, ['EPAYLOAD']));
  }));

test('bad input - values Go could not marshal are refused with EMARSHAL and the old files survive', (t) =>
  withSandbox(t, async (store, refused) => {
    const calls = fc.oneof(
      unmarshalable.map((v): Call => ['storeAgentState', 'sb', v]),
      unmarshalable.map((v): Call => ['storeHypervisorState', 'sb', v]),
      fc
        .constantFrom('10000-01-01T00:00:00Z', '-0001-12-31T23:59:59Z', '123456-06-01T00:00:00+01:00')
        .map((t): Call => ['storeContainerProcess', 'sb', 'c', { StartTime: t }]),
    );
    await property(calls, (call) => refused(call, ['EMARSHAL']));
    assert.deepEqual(await store.fetchAgentState('sb'), { url: 'vsock://1' });
  }));

test('bad input - values over the payload limit are refused with EPAYLOAD before any work, and change nothing', (t) =>
  withSandbox(t, async (_store, refused) => {
    const calls = fc.oneof(
      oversized.map((v): Call => ['storeAgentState', 'sb', v]),
      oversized.map((v): Call => ['storeHypervisorState', 'sb', { nested: v }]),
      oversized.map((v): Call => ['storeSandboxResource', 'sb', 'state', { type: 'State', value: { state: v } }]),
      oversized.map((v): Call => ['storeContainerProcess', 'sb', 'c', { Token: v }]),
    );
    await fc.assert(
      fc.asyncProperty(calls, (call) => refused(call, ['EPAYLOAD'])),
      { numRuns: 12, includeErrorInReport: true },
    );
  }));

test('bad input - every map key is data: tricky keys survive in every map type', async (t) => {
  const { store, done } = await tempStore(t);
  try {
    await store.createAllResources({ id: 'sb', containers: ['c'] });
    await property(trickyKeys, async ({ keys, map }) => {
      const events = [
        await store.storeSandboxResource('sb', 'config', {
          type: 'SandboxConfig',
          value: { ID: 'sb', Annotations: map },
        }),
        await store.storeContainerResource('sb', 'c', 'config', {
          type: 'ContainerConfig',
          value: { ID: 'c', Annotations: map },
        }),
        await store.storeAgentState('sb', { m: map }),
      ];
      const [sandbox, container, agent] = events.map(
        (e) => JSON.parse(e.payload ?? '') as Record<string, Record<string, string>>,
      );
      for (const found of [sandbox?.Annotations, container?.Annotations, agent?.m]) {
        assert.deepEqual(Object.keys(found ?? {}).sort(), keys.slice().sort());
        for (const [i, k] of keys.entries()) assert.equal(Object.getOwnPropertyDescriptor(found, k)?.value, `v${i}`, k);
      }
    });
  } finally {
    await done();
  }
});
