import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cp, mkdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { crc32 } from 'node:zlib';
import { bootId } from '../../src/journal/boot-id.ts';
import { readEvents } from '../../src/journal/reader.ts';
import { JournalWriter } from '../../src/journal/writer.ts';
import { journalFile, rootsUnder } from '../../src/layout/roots.ts';
import { Store } from '../../src/store/store.ts';
import { snapshot } from '../helpers/tree.ts';
import { frame, sha256 } from '../helpers/corrupt.ts';
import { journalPath } from './support.ts';
import { tempDir } from '../helpers/temp.ts';

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

/** Calls bootId() in a fresh process, twice, rewriting VCSTORE_BOOT_ID_FILE (if set) in between. */
function bootIdsInChild(env: Record<string, string>): [string, string] {
  const script = `
    import { writeFileSync } from 'node:fs';
    import { bootId } from ${JSON.stringify(pathToFileURL(join(import.meta.dirname, '../../src/journal/boot-id.ts')).href)};
    const first = bootId();
    if (process.env.VCSTORE_BOOT_ID_FILE) writeFileSync(process.env.VCSTORE_BOOT_ID_FILE, 'after-a-reboot\\n');
    process.stdout.write(JSON.stringify([first, bootId()]));`;
  const { VCSTORE_BOOT_ID_FILE: _, ...inherited } = process.env;
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '--eval', script], {
    encoding: 'utf8',
    env: { ...inherited, ...env },
  });
  assert.equal(child.status, 0, child.stderr);
  return JSON.parse(child.stdout);
}

test('journal - boot id is the host boot id, read once', async (t) => {
  // The host's, as the kernel gives it.
  const host = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  assert.deepEqual(bootIdsInChild({}), [host, host]);
  // Read once: a file that changes under a running process does not change its boot id.
  const file = join(await tempDir(t, 'boot'), 'boot_id');
  await writeFile(file, 'before\n');
  assert.deepEqual(bootIdsInChild({ VCSTORE_BOOT_ID_FILE: file }), ['before', 'before']);
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

test('journal - unknown fields and wrong types are refused on read', async (t) => {
  const dir = await tempDir(t, 'journal');
  const file = journalPath(dir);
  const bad: object[] = [
    { ...base, extra: true },
    { ...base, time: '2024-05-01T12:00:00Z' },
    { ...base, seq: 1.5 },
    { ...base, op: '' },
    { ...base, op: 'rm' },
    { ...base, v: 2 }, // a version-1 op in a version-2 record
    { ...base, digest: 'a'.repeat(64) }, // a digest outside a checkpoint
    { ...base, v: 2, op: 'checkpoint' }, // a checkpoint without one
    { ...base, resources: [1] },
    { ...base, prev: 'ABC' },
    { ...base, v: 0 },
  ];
  for (const record of bad) {
    await writeRecords(file, [record]);
    await assert.rejects(JournalWriter.open(file), { code: 'ECORRUPT', offset: 0 }, JSON.stringify(record));
  }
  await writeFile(file, frame(Buffer.from('{"v":1,')));
  await assert.rejects(JournalWriter.open(file), /body is not valid JSON/);
  await writeRecords(file, [base]);
  const w = await JournalWriter.open(file);
  assert.equal(w.seq, 1);
  await w.close();
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

test('journal - a version-1 journal (and its old checkpoint) written by vcstore 0.1 still reads, and the tree it rebuilds is the Go tree', async (t) => {
  const dir = await tempDir(t, 'journal');
  const roots = rootsUnder(dir);
  const fixtures = join(import.meta.dirname, '../../fixtures');
  await cp(join(fixtures, 'journal-v1'), roots.journal, { recursive: true });
  const read = [];
  for await (const event of readEvents(journalFile(roots, '5fb4768f-sandbox'))) read.push(event);
  assert.equal(read.length, 17);
  assert.ok(read.every((e) => e.v === 1));
  const store = new Store({ roots });
  assert.equal(await store.seq('5fb4768f-sandbox'), 17);
  const event = await store.storeSandboxResource('5fb4768f-sandbox', 'state', {
    type: 'State',
    value: { state: 'stopped' },
  });
  assert.deepEqual([event.seq, event.v], [18, 1]);
  await store.close();
  // Before that store, the rebuilt tree was the one the Go code wrote, byte for byte.
  const tree = await snapshot(join(dir, 'var/lib/virtcontainers/sandboxes'));
  const golden = await snapshot(join(fixtures, 'legacy-go/01-sandbox-lifecycle/tree/var/lib/virtcontainers/sandboxes'));
  assert.deepEqual([...tree.keys()].sort(), [...golden.keys()].sort());
  for (const [rel, entry] of golden) assert.equal(tree.get(rel)?.content, entry.content, rel);
});
