import assert from 'node:assert/strict';
import { copyFile, readFile, rm, writeFile } from 'node:fs/promises';
import { test, type TestContext } from 'node:test';
import stringify from 'fast-json-stable-stringify';
import { hashBody } from '../../src/journal/record.ts';
import { journalFile } from '../../src/layout/roots.ts';
import { inspectJournal } from '../../src/recovery/inspect.ts';
import { verifySandbox } from '../../src/recovery/verify.ts';
import { Store } from '../../src/store/store.ts';
import { flipBit, frame, frames, sha256, truncateAt, zeroSector } from '../helpers/corrupt.ts';
import { rejectsWith, tempStore } from '../helpers/store.ts';

const state = (i: number) => ({ type: 'State' as const, value: { state: 'running', blockIndex: i } });

async function journalWith(t: TestContext, n: number) {
  const s = await tempStore(t);
  await s.store.createAllResources({ id: 'sb', containers: ['c'] });
  for (let i = 1; i < n; i++) await s.store.storeSandboxResource('sb', 'state', state(i));
  await s.store.close();
  return { ...s, file: journalFile(s.roots, 'sb') };
}

const hashes = async (file: string) => {
  const health = await inspectJournal(file);
  return { health, bodies: (await frames(file)).map((f) => sha256(f.body)) };
};

test('damage - a bit flipped anywhere is detected or cut as a torn tail, and never read as a record', async (t) => {
  const { file, done } = await journalWith(t, 4);
  try {
    const original = await readFile(file);
    const good = (await frames(file)).map((f) => sha256(f.body));
    const copy = `${file}.copy`;
    for (let offset = 0; offset < original.length; offset++) {
      await copyFile(file, copy);
      await flipBit(copy, offset, offset % 8);
      const health = await inspectJournal(copy);
      // Whatever was read must be a prefix of the real records: a damaged record is never applied.
      assert.ok(health.damage || health.torn, `flip at ${offset} went unnoticed`);
      assert.ok(health.events < good.length, `flip at ${offset}: all ${good.length} records still read`);
      if (health.last)
        assert.equal(hashBody(Buffer.from(stringify(health.last))), good[health.events - 1], `flip at ${offset}`);
    }
    await rm(copy);
  } finally {
    await done();
  }
});

test('damage - a zeroed 512-byte sector in the middle is corruption, with its offset', async (t) => {
  const { file, done } = await journalWith(t, 12);
  try {
    const [, second] = await frames(file);
    await zeroSector(file, second!.offset + 4, 512);
    const { health } = await hashes(file);
    assert.equal(health.damage?.code, 'ECORRUPT');
    assert.equal(health.damage?.offset, second!.offset);
    assert.equal(health.events, 1);
  } finally {
    await done();
  }
});

test('damage - a record with a valid CRC whose hash does not chain is refused', async (t) => {
  const { file, done } = await journalWith(t, 3);
  try {
    const all = await frames(file);
    const last = all.at(-1)!;
    const event = JSON.parse(last.body.toString());
    event.payload = '{"state":"forged","blockIndex":0,"fstype":"","hotpluggedDrive":false}';
    await truncateAt(file, last.offset);
    const forged = frame(Buffer.from(stringify(event)));
    await writeFile(file, Buffer.concat([await readFile(file), forged]));
    assert.equal(
      (await inspectJournal(file)).damage,
      undefined,
      'an edited last record chains: only its own hash changed',
    );
    // …but editing a middle record breaks the link from the next one.
    const middle = JSON.parse(all[1]!.body.toString());
    middle.payload = '{}';
    const edited = frame(Buffer.from(stringify(middle)));
    await writeFile(file, Buffer.concat([frame(all[0]!.body), edited, ...all.slice(2).map((f) => frame(f.body))]));
    const health = await inspectJournal(file);
    assert.equal(health.damage?.code, 'ECHAIN');
    assert.equal(health.damage?.offset, all[0]!.size + edited.length);
  } finally {
    await done();
  }
});

test('damage - a store refuses to open a journal corrupt in the middle, and changes nothing', async (t) => {
  const { file, roots, done } = await journalWith(t, 5);
  try {
    const [, second] = await frames(file);
    await flipBit(file, second!.offset + 20);
    assert.equal((await verifySandbox(roots, 'sb')).damage?.code, 'ECORRUPT');
    const before = await readFile(file);
    const store = new Store({ roots });
    const err = await rejectsWith(store.storeSandboxResource('sb', 'state', state(9)), 'ECORRUPT');
    assert.equal(err.offset, second!.offset);
    assert.match(err.message, new RegExp(`${file}: corrupt record at offset ${second!.offset}`));
    assert.deepEqual(await readFile(file), before);
    await store.close();
  } finally {
    await done();
  }
});
