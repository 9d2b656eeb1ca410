import assert from 'node:assert/strict';
import { cp, mkdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { crc32 } from 'node:zlib';
import { bootId } from '../../src/journal/boot-id.ts';
import { readEvents } from '../../src/journal/reader.ts';
import { JournalWriter } from '../../src/store/session/journal-writer.ts';
import { replayJournal } from '../../src/projector/replay.ts';
import { inspectJournal } from '../../src/recovery/inspect.ts';
import { journalFile, rootsUnder } from '../../src/layout/roots.ts';
import { Store } from '../../src/store/store.ts';
import { snapshot } from '../helpers/tree.ts';
import { frame, sha256 } from '../helpers/corrupt.ts';
import { journalPath } from './support.ts';
import { tempDir } from '../helpers/temp.ts';
import { pinBootId } from '../helpers/identity.ts';
import { fileExists } from '../../src/fs/missing.ts';

test('journal - a record is length, CRC-32 and canonical JSON with sorted keys', async (t) => {
  const dir = await tempDir(t, 'journal');
  const file = journalPath(dir);
  const w = await JournalWriter.open(file);
  const when = new Date('2024-05-01T12:00:00.000Z');
  const e1 = await w.append({ sandbox: 'sb1', op: 'store', resource: 'state', payload: '{"a":1}' }, when);
  const e2 = await w.append({ resources: null, sandbox: 'sb1', op: 'delete' }, when);
  await w.close();

  const boot = bootId();
  const body1 =
    `{"boot":${JSON.stringify(boot)},"op":"store","payload":"{\\"a\\":1}","pid":${process.pid},"prev":"",` +
    `"resource":"state","sandbox":"sb1","seq":1,"time":"2024-05-01T12:00:00.000Z","v":1}`;
  const body2 =
    `{"boot":${JSON.stringify(boot)},"op":"delete","pid":${process.pid},"prev":"${sha256(Buffer.from(body1))}",` +
    `"resources":null,"sandbox":"sb1","seq":2,"time":"2024-05-01T12:00:00.000Z","v":1}`;
  const bytes = await readFile(file);
  assert.equal(bytes.readUInt32LE(0), Buffer.byteLength(body1));
  assert.equal(bytes.readUInt32LE(4), crc32(body1));
  assert.deepEqual(bytes, Buffer.concat([frame(Buffer.from(body1)), frame(Buffer.from(body2))]));
  assert.equal(e2.prev, sha256(Buffer.from(body1)));
  assert.equal(e1.prev, '');
});

test('journal - boot id is the host boot id, read once', () => {
  const id = bootId();
  assert.match(id, /^([0-9a-f-]{36}|unknown)$/);
  assert.equal(bootId(), id);
});

async function writeRecords(file: string, bodies: object[]) {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, Buffer.concat(bodies.map((b) => frame(Buffer.from(JSON.stringify(b))))));
}

const base = { v: 1, seq: 1, time: '2024-05-01T12:00:00.000Z', pid: 1, boot: 'b', op: 'store', sandbox: 's', prev: '' };

test('journal - a record of a newer version is refused with a clear error', async (t) => {
  const dir = await tempDir(t, 'journal');
  const file = journalPath(dir);
  await writeRecords(file, [{ ...base, v: 3 }]);
  const refused = {
    code: 'ECORRUPT',
    offset: 0,
    message: `${file}: corrupt record at offset 0: unsupported record version 3`,
  };
  await assert.rejects(JournalWriter.open(file), refused);
  await assert.rejects(async () => {
    for await (const _ of readEvents(file));
  }, refused);
});

test('journal - a record of the wrong shape is refused on open, replay and verify', async (t) => {
  const dir = await tempDir(t, 'journal');
  const file = journalPath(dir);
  // What a reader relies on: the op, the version, and the type of every field the chain and the tree read.
  const bad: object[] = [
    { ...base, seq: 1.5 },
    { ...base, seq: '1' },
    { ...base, op: '' },
    { ...base, op: 'rm' },
    { ...base, v: 2 }, // a version-1 op in a version-2 record
    { ...base, v: 0 },
    { ...base, resources: [1] },
    { ...base, resources: 'state' },
    { ...base, containers: [null] },
    { ...base, payload: 5 },
    { ...base, sandbox: 1 },
    { ...base, prev: null },
    { ...base, op: 'observe', v: 2, path: 'run/s', found: 'maybe', policy: 'adopt' },
    { ...base, op: 'observe', v: 2, path: 'run/s', found: 'dir', policy: 'ignore' },
  ];
  for (const record of bad) {
    await writeRecords(file, [record]);
    const refused = { code: 'ECORRUPT', offset: 0 };
    const what = JSON.stringify(record);
    await assert.rejects(JournalWriter.open(file), refused, what);
    await assert.rejects(replayJournal(file), refused, what);
    await assert.rejects(replayJournal(file, {}, { checkSchema: true }), refused, what);
  }
  await writeFile(file, frame(Buffer.from('{"v":1,')));
  await assert.rejects(JournalWriter.open(file), /body is not valid JSON/);
  await writeFile(file, frame(Buffer.from('[1]')));
  await assert.rejects(JournalWriter.open(file), /not an object/);
  await writeRecords(file, [base]);
  const w = await JournalWriter.open(file);
  assert.equal(w.seq, 1);
  await w.close();
});

test('journal - a record only the full schema refuses is refused by verify, and read on open', async (t) => {
  const dir = await tempDir(t, 'journal');
  const file = journalPath(dir);
  // Formats, unknown fields and which op may hold which field: checked on write and by verify, not on open.
  const store = { ...base, resource: 'state', payload: '{}' };
  const bad: object[] = [
    { ...store, extra: true },
    { ...store, time: '2024-05-01T12:00:00Z' },
    { ...store, digest: 'a'.repeat(64) }, // a digest outside a checkpoint
  ];
  for (const record of bad) {
    await writeRecords(file, [record]);
    const what = JSON.stringify(record);
    await assert.rejects(replayJournal(file, {}, { checkSchema: true }), { code: 'ECORRUPT', offset: 0 }, what);
    const health = await inspectJournal(file);
    assert.equal(health.damage?.code, 'ECORRUPT', what);
    assert.equal(health.events, 0, what);
    await assert.rejects(
      async () => {
        for await (const _ of readEvents(file, { checkSchema: true }));
      },
      { code: 'ECORRUPT', offset: 0 },
      what,
    );
    const w = await JournalWriter.open(file);
    assert.equal(w.seq, 1, what);
    await w.close();
    assert.equal((await replayJournal(file)).count, 1, what);
  }
  // A field its op's event type requires is checked on open too: a checkpoint without its digest.
  await writeRecords(file, [{ ...base, v: 2, op: 'checkpoint' }]);
  await assert.rejects(JournalWriter.open(file), { code: 'ECORRUPT', offset: 0 });
  assert.equal((await inspectJournal(file)).damage?.code, 'ECORRUPT');
  // A previous hash that is not hex can never chain: refused on open too, as a chain break.
  await writeRecords(file, [{ ...store, prev: 'ABC' }]);
  await assert.rejects(JournalWriter.open(file), { code: 'ECHAIN', offset: 0 });
  assert.equal((await inspectJournal(file)).damage?.code, 'ECORRUPT');
});

test('replay - a record that reads but cannot be applied is damage at its offset, never a crash', async (t) => {
  const dir = await tempDir(t, 'journal');
  const file = journalPath(dir);
  const first = { ...base, resource: 'state', payload: '{}' };
  const firstBody = Buffer.from(JSON.stringify(first));
  // A store of no known resource: CRC, chain and types are right, the tree model cannot apply it.
  await writeRecords(file, [first, { ...base, seq: 2, prev: sha256(firstBody) }]);
  const offset = 8 + firstBody.length;
  await assert.rejects(replayJournal(file), {
    code: 'ECORRUPT',
    offset,
    message: `${file}: corrupt record at offset ${offset}: record does not apply: Invalid sandbox resource`,
  });
  const partial = await replayJournal(file, {}, { untilDamage: true });
  assert.equal(partial.count, 1);
  assert.equal(partial.damage?.offset, offset);
});

test('journal - the file is created 0600 in 0700 directories', async (t) => {
  const dir = await tempDir(t, 'journal');
  const file = journalPath(dir);
  await (await JournalWriter.open(file)).close();
  assert.equal((await stat(file)).mode & 0o777, 0o600);
  assert.equal((await stat(dirname(file))).mode & 0o777, 0o700);
  assert.equal((await stat(dirname(dirname(file)))).mode & 0o777, 0o700);
});

test('journal - a symlink in place of the journal is refused', async (t) => {
  const dir = await tempDir(t, 'journal');
  const target = join(dir, 'elsewhere.log');
  await writeFile(target, '');
  const file = journalPath(dir);
  await mkdir(dirname(file), { recursive: true });
  await symlink(target, file);
  await assert.rejects(JournalWriter.open(file), { code: 'EIO', file });
  await assert.rejects(
    async () => {
      for await (const _ of readEvents(file));
    },
    { file },
  );
  assert.equal((await stat(target)).size, 0);
});

test('journal - a directory in place of the journal is refused', async (t) => {
  const dir = await tempDir(t, 'journal');
  const file = journalPath(dir);
  await mkdir(file, { recursive: true });
  await assert.rejects(JournalWriter.open(file), { file });
});

const v1Sandbox = '5fb4768f-sandbox';
/** The boot `fixtures/journal-v1` was written in: every record of it carries this ID. */
const v1Boot = 'f61a43df-9abe-402c-9256-217e90023241';
const fixtures = join(import.meta.dirname, '../../fixtures');

/** A v1 journal as a host upgraded from vcstore 0.1 has it, under fresh roots. */
async function v1Journal(t: TestContext) {
  const dir = await tempDir(t, 'journal');
  const roots = rootsUnder(dir);
  await cp(join(fixtures, 'journal-v1'), roots.journal, { recursive: true });
  const read = [];
  for await (const event of readEvents(journalFile(roots, v1Sandbox))) read.push(event);
  assert.equal(read.length, 17);
  assert.ok(read.every((e) => e.v === 1 && e.boot === v1Boot));
  return { dir, roots };
}

const goldenTree = (part: string) => snapshot(join(fixtures, 'legacy-go/01-sandbox-lifecycle/tree', part));

test('journal - a version-1 journal (and its old checkpoint) opened in the boot that wrote it rebuilds the Go tree and appends at 18', async (t) => {
  await pinBootId(t, v1Boot);
  const { dir, roots } = await v1Journal(t);
  const store = new Store({ roots });
  assert.equal(await store.seq(v1Sandbox), 17);
  // The rebuilt tree is the one the Go code wrote, byte for byte, /run included.
  for (const part of ['var/lib/virtcontainers/sandboxes', 'run/virtcontainers/sandboxes']) {
    const [tree, golden] = [await snapshot(join(dir, part)), await goldenTree(part)];
    assert.deepEqual([...tree.keys()].sort(), [...golden.keys()].sort(), part);
    for (const [rel, entry] of golden) assert.equal(tree.get(rel)?.content, entry.content, rel);
  }
  const event = await store.storeSandboxResource(v1Sandbox, 'state', { type: 'State', value: { state: 'stopped' } });
  assert.deepEqual([event.seq, event.v], [18, 1]);
  await store.close();
});

test('journal - a version-1 journal opened after a reboot records the reboot at 18, clears /run and keeps the Go config tree', async (t) => {
  const boot = await pinBootId(t);
  const { dir, roots } = await v1Journal(t);
  const store = new Store({ roots });
  assert.equal(await store.seq(v1Sandbox), 18);
  const events = [];
  for await (const event of readEvents(journalFile(roots, v1Sandbox))) events.push(event);
  assert.deepEqual([events[17]!.seq, events[17]!.op, events[17]!.boot], [18, 'reboot', boot]);
  assert.equal(await fileExists(join(dir, 'run/virtcontainers/sandboxes', v1Sandbox)), false);
  const part = 'var/lib/virtcontainers/sandboxes';
  const [tree, golden] = [await snapshot(join(dir, part)), await goldenTree(part)];
  assert.deepEqual([...tree.keys()].sort(), [...golden.keys()].sort());
  for (const [rel, entry] of golden) assert.equal(tree.get(rel)?.content, entry.content, rel);
  // As in Go, the run state needs its folder again (a runtime re-creates it): nothing is appended meanwhile.
  const stopped = { type: 'State', value: { state: 'stopped' } } as const;
  await assert.rejects(store.storeSandboxResource(v1Sandbox, 'state', stopped), { code: 'ENOENT' });
  assert.equal(await store.seq(v1Sandbox), 18);
  await store.close();
});
