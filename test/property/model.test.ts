/**
 * Random sequences of operations against an in-memory model of the legacy
 * storage: after every step the error (or success) and the whole legacy tree,
 * paths, modes and bytes, must be what the model says.
 */
import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { StoreError } from '../../src/errors.ts';
import type { JournalEvent } from '../../src/journal/record.ts';
import { rootsUnder, type Roots } from '../../src/layout/roots.ts';
import type { Resource } from '../../src/layout/resources.ts';
import type { PayloadType } from '../../src/legacy/payloads.ts';
import { Store } from '../../src/store/store.ts';
import { op, opOrFault, SANDBOXES, SETUP, type Op, type WriteOp } from '../helpers/arbitraries.ts';
import { JOURNAL_DIR, LegacyModel, type Outcome } from '../helpers/legacy-model.ts';
import { effectsBetween, snapshot } from '../helpers/tree.ts';
import { makeTempDir } from '../helpers/temp.ts';

/** VCSTORE_PROPERTY_RUNS=1000 for a long run. */
const RUNS = Number(process.env.VCSTORE_PROPERTY_RUNS ?? 40);

interface World {
  root: string;
  roots: Roots;
  store: Store;
  model: LegacyModel;
}

interface FetchOp {
  kind: 'fetch';
  sandbox: string;
  container: string;
  resource: Resource;
}

function realWrite(store: Store, op: WriteOp): Promise<JournalEvent> {
  switch (op.kind) {
    case 'create':
      return store.createAllResources({ id: op.sandbox, containers: op.containers });
    case 'store': {
      const data = { type: op.type, value: op.value };
      // @ts-expect-error -- the model also stores into resources the type switch refuses
      if (op.container === '') return store.storeSandboxResource(op.sandbox, op.resource, data);
      // @ts-expect-error -- the model also stores into resources the type switch refuses
      return store.storeContainerResource(op.sandbox, op.container, op.resource, data);
    }
    case 'storeAny':
      if (op.resource === 'hypervisor') return store.storeHypervisorState(op.sandbox, op.value);
      return store.storeAgentState(op.sandbox, op.value);
    case 'delete':
      // @ts-expect-error -- the model also deletes numbered and unknown resources
      if (op.container === undefined) return store.deleteSandboxResources(op.sandbox, op.resources);
      // @ts-expect-error -- the model also deletes numbered and unknown resources
      return store.deleteContainerResources(op.sandbox, op.container, op.resources);
  }
}

function modelWrite(model: LegacyModel, op: WriteOp): Outcome {
  switch (op.kind) {
    case 'create':
      return model.create(op.sandbox, op.containers);
    case 'store':
      return model.store(op.sandbox, op.container, op.resource, op.type, op.value);
    case 'storeAny':
      return model.store(op.sandbox, '', op.resource, 'interface{}', op.value);
    case 'delete':
      return model.delete(op.sandbox, op.container, op.resources);
  }
}

const FETCH: Record<string, [PayloadType, (s: Store, sb: string, c: string) => Promise<unknown>]> = {
  'sandbox config': ['SandboxConfig', (s, sb) => s.fetchSandboxConfig(sb)],
  'sandbox state': ['State', (s, sb) => s.fetchSandboxState(sb)],
  'sandbox network': ['NetworkNamespace', (s, sb) => s.fetchSandboxNetwork(sb)],
  'sandbox hypervisor': ['interface{}', (s, sb) => s.fetchHypervisorState(sb)],
  'sandbox agent': ['interface{}', (s, sb) => s.fetchAgentState(sb)],
  'container config': ['ContainerConfig', (s, sb, c) => s.fetchContainerConfig(sb, c)],
  'container state': ['State', (s, sb, c) => s.fetchContainerState(sb, c)],
  'container process': ['Process', (s, sb, c) => s.fetchContainerProcess(sb, c)],
  'container mounts': ['[]Mount', (s, sb, c) => s.fetchContainerMounts(sb, c)],
  'container devices': ['[]Device', (s, sb, c) => s.fetchContainerDevices(sb, c)],
};

const fetchKey = (op: { container: string; resource: string }) =>
  `${op.container === '' ? 'sandbox' : 'container'} ${op.resource}`;

async function outcome(call: () => Promise<unknown>): Promise<Outcome> {
  try {
    return { ok: true, value: await call() };
  } catch (err) {
    if (!(err instanceof StoreError)) throw err;
    return { ok: false, code: err.code, message: err.message };
  }
}

function agree(real: Outcome, expected: Outcome, where: string): void {
  if (expected.ok) {
    assert.ok(real.ok, `${where}: expected success, got ${real.ok ? '' : `${real.code}: ${real.message}`}`);
    return;
  }
  assert.ok(!real.ok, `${where}: expected ${expected.code}, but it succeeded`);
  assert.equal(real.code, expected.code, `${where}: ${real.message}`);
  if (expected.message !== undefined) assert.equal(real.message, expected.message, where);
}

async function write(world: World, op: WriteOp, where: string): Promise<void> {
  const expected = modelWrite(world.model, op);
  const real = await outcome(() => realWrite(world.store, op));
  agree(real, expected, where);
  if (real.ok) assert.equal((real.value as JournalEvent).seq, world.model.seqs.get(op.sandbox), `${where}: seq`);
}

async function fetch(world: World, op: FetchOp, where: string): Promise<void> {
  const [type, call] = FETCH[fetchKey(op)]!;
  const expected = world.model.fetch(op.sandbox, op.container, op.resource, type);
  const real = await outcome(() => call(world.store, op.sandbox, op.container));
  agree(real, expected, where);
  if (expected.ok && real.ok) assert.deepEqual(real.value, expected.value, `${where}: fetched value`);
}

/** A new Store on the same roots; opening every sandbox must change nothing and find every event. */
async function reopen(world: World, where: string): Promise<void> {
  await world.store.close();
  world.store = new Store({ roots: world.roots });
  for (const sb of SANDBOXES) {
    world.model.takeWriterLock();
    assert.equal(await world.store.seq(sb), world.model.seqs.get(sb) ?? 0, `${where}: seq of ${sb}`);
  }
}

/** Damages a legacy file behind the store's back; the next write on its sandbox, from a new Store, must repair it. */
async function damage(world: World, op: Extract<Op, { kind: 'damage' }>, where: string): Promise<void> {
  const files = world.model.files();
  if (files.length === 0) return;
  const file = files[op.pick % files.length];
  const content = op.how === 'garbage' ? '{"torn' : '';
  if (op.how === 'remove') await rm(path.join(world.root, file!));
  else await writeFile(path.join(world.root, file!), content);
  // A held lock may hold anything, so its bytes are kept; a missing one is made again, empty.
  if (file!.endsWith('/lock')) world.model.nodes.set(file!, content);
  await world.store.close();
  world.store = new Store({ roots: world.roots });
  // Anything else is an outside write: the new Store records it (one observe event) before repairing it. A removed
  // file that the sandbox's last group wrote cannot be told from that group's unfinished projection: none then.
  const { sandbox } = world.model.locate(file!);
  const before = world.model.seqs.get(sandbox) ?? 0;
  world.model.takeWriterLock();
  const opened = await world.store.seq(sandbox);
  if (op.how !== 'remove')
    assert.equal(opened, file!.endsWith('/lock') ? before : before + 1, `${where}: observed ${file}`);
  else assert.ok(opened === before || opened === before + 1, `${where}: observed ${file}`);
  world.model.seqs.set(sandbox, opened);
  await write(
    world,
    { ...op.then, sandbox: world.model.locate(file!).sandbox },
    `${where} ${op.how} ${file}, then ${op.then.kind}`,
  );
}

/** A fetch of a file the model holds, when there is one with a fetch method. */
function fetchStored(world: World, pick: number): FetchOp | undefined {
  const fetchable = world.model
    .files()
    .map((f) => world.model.locate(f))
    .filter((f) => FETCH[fetchKey(f)] !== undefined);
  const found = fetchable[pick % fetchable.length];
  return found === undefined ? undefined : { kind: 'fetch', ...found };
}

async function step(world: World, op: Op, where: string): Promise<void> {
  switch (op.kind) {
    case 'fetchStored': {
      const stored = fetchStored(world, op.pick);
      return stored && fetch(world, stored, where);
    }
    case 'fetch':
      return fetch(world, op, where);
    case 'reopen':
      return reopen(world, where);
    case 'damage':
      return damage(world, op, where);
    default:
      return write(world, op, where);
  }
}

async function runAgainstModel(random: Op[]): Promise<void> {
  const ops = [...SETUP, ...random];
  // One folder per run of the property, removed after it: a test-long folder would hold hundreds.
  const { dir: root, remove } = await makeTempDir('model');
  const roots = rootsUnder(root);
  const world: World = { root, roots, store: new Store({ roots }), model: new LegacyModel(root) };
  try {
    for (const [i, op] of ops.entries()) {
      const where = `op ${i} ${op.kind}`;
      await step(world, op, where);
      const real = await snapshot(root, (rel) => rel === JOURNAL_DIR);
      assert.deepEqual(effectsBetween(world.model.tree(), real), [], `${where}: the tree differs from the model`);
    }
  } finally {
    await world.store.close();
    await remove();
  }
}

const holds = (ops: fc.Arbitrary<Op[]>) =>
  fc.assert(fc.asyncProperty(ops, runAgainstModel), { numRuns: RUNS, includeErrorInReport: true });

test('model - random creates, stores, deletes and fetches agree with the legacy model after every step', () =>
  holds(fc.array(op, { maxLength: 25, size: 'max' })));

test('model - reopening, and damaged legacy files rebuilt on the next write, keep the tree equal to the model', () =>
  holds(fc.array(opOrFault, { maxLength: 25, size: 'max' })));
