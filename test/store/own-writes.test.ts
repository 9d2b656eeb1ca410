import assert from 'node:assert/strict';
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import test from 'node:test';
import { Store } from '../../src/store/store.ts';
import { events, tempStore } from '../helpers/store.ts';

// Every value the same length, so that an outside write of another value keeps the file's size.
const state = (i: number) => ({ type: 'State' as const, value: { state: `r${String(i).padStart(5, '0')}` } });

for (const policy of ['restore', 'adopt'] as const) {
  test(`own writes - an outside write in place, of the same size, right after a store is observed before the next (${policy})`, async (t) => {
    const { roots, done } = await tempStore(t);
    const store = new Store({ roots, drift: policy });
    const rounds = 200;
    try {
      await store.createAllResources({ id: 'sb' });
      const file = path.join(roots.run, 'sb', 'state.json');
      const outside: string[] = [];
      for (let i = 0; i < rounds; i++) {
        await store.storeSandboxResource('sb', 'state', state(2 * i));
        // Same inode, same size, within microseconds of the writer's own write: only the time tells.
        const before = statSync(file);
        const text = readFileSync(file, 'utf8').replace('"r', '"x');
        writeFileSync(file, text);
        assert.equal(statSync(file).ino, before.ino);
        assert.equal(statSync(file).size, before.size);
        outside.push(text);
        await store.storeSandboxResource('sb', 'state', state(2 * i + 1));
      }
      const seen = (await events(roots, 'sb')).filter((e) => e.op === 'observe');
      assert.deepEqual(
        seen.map((e) => e.payload),
        outside,
      );
      assert.match(readFileSync(file, 'utf8'), new RegExp(`"r${String(2 * rounds - 1).padStart(5, '0')}"`));
    } finally {
      await store.close();
      await done();
    }
  });
}

test('own writes - a mode set by hand is kept by every later store, and is no drift', async (t) => {
  const { store, roots, done } = await tempStore(t);
  try {
    await store.createAllResources({ id: 'sb' });
    await store.storeSandboxResource('sb', 'state', state(0));
    const file = path.join(roots.run, 'sb', 'state.json');
    chmodSync(file, 0o600);
    for (let i = 1; i <= 5; i++) {
      await store.storeSandboxResource('sb', 'state', state(i));
      assert.equal(statSync(file).mode & 0o7777, 0o600, `after store ${i}`);
    }
    chmodSync(file, 0o640);
    await store.storeSandboxResource('sb', 'state', state(6));
    assert.equal(statSync(file).mode & 0o7777, 0o640);
    assert.deepEqual(
      (await events(roots, 'sb')).filter((e) => e.op === 'observe'),
      [],
    );
  } finally {
    await done();
  }
});
