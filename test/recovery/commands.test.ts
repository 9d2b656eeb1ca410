import assert from 'node:assert/strict';
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { journalFile } from '../../src/layout/roots.ts';
import { flipBit, frames } from '../helpers/corrupt.ts';
import { tempStore } from '../helpers/store.ts';
import { vcstore, jsonLines } from '../helpers/cli.ts';
import { exists } from '../helpers/tree.ts';

async function populated(t: TestContext) {
  const s = await tempStore(t);
  await s.store.createAllResources({ id: 'sb', containers: ['c'] });
  await s.store.storeSandboxResource('sb', 'state', { type: 'State', value: { state: 'running' } });
  await s.store.storeContainerProcess('sb', 'c', { Token: 't', Pid: 7 });
  await s.store.close();
  return s;
}

test('verify - exit 0 on a consistent tree, 1 with each finding named file by file', async (t) => {
  const { root, roots, done } = await populated(t);
  try {
    const ok = vcstore(['verify', '--root', root]);
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    assert.match(ok.stdout, /^sb: ok, 3 events, head #3 [0-9a-f]{16}\n$/);

    const state = path.join(roots.run, 'sb', 'state.json');
    await writeFile(state, '{"state":"stopped"}'); // another tool
    await writeFile(path.join(roots.run, 'sb', 'c', '.process.json.vcstore-tmp-1-1'), '{');
    await writeFile(path.join(roots.config, 'sb', 'stray.json'), '{}');
    await import('node:fs/promises').then((fs) => fs.rm(path.join(roots.run, 'sb', 'c', 'process.json')));
    await mkdir(path.join(roots.run, 'legacy-only'));
    const bad = vcstore(['verify', '--root', root, '--json']);
    assert.equal(bad.code, 1);
    const [verdict, summary] = jsonLines(bad.stdout);
    assert.deepEqual(verdict.drift, [
      { path: 'config/sb/stray.json', problem: 'extra' },
      { path: 'run/sb/c/.process.json.vcstore-tmp-1-1', problem: 'extra' },
      { path: 'run/sb/c/process.json', problem: 'missing' },
      { path: 'run/sb/state.json', problem: 'changed' },
    ]);
    assert.deepEqual(summary, { consistent: false, untracked: ['run/legacy-only'], strays: [] });
  } finally {
    await done();
  }
});

test('recover - cuts a torn tail, rebuilds files, removes temp files, reports leftovers, and is safe to run twice', async (t) => {
  const { root, roots, done } = await populated(t);
  try {
    const file = journalFile(roots, 'sb');
    const kept = await readFile(file);
    const size = kept.length;
    await appendFile(file, Buffer.from([200, 0, 0, 0, 1, 2, 3, 4, 0x7b, 0x22])); // a frame cut short by a crash
    await writeFile(path.join(roots.run, 'sb', 'state.json'), '');
    await writeFile(path.join(roots.run, 'sb', '.state.json.vcstore-tmp-9-9'), '{"sta');
    await writeFile(path.join(roots.config, 'sb', 'notes.txt'), 'operator notes');

    const first = vcstore(['recover', '--root', root]);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(
      first.stdout,
      `sb: cut a torn tail of 10 bytes at offset ${size}; rebuilt run/sb/state.json; removed temp files run/sb/.state.json.vcstore-tmp-9-9; left in place: extra config/sb/notes.txt (at event 5)\n`,
    );
    assert.deepEqual(
      (await readFile(file)).subarray(0, size),
      kept,
      'the torn tail was cut, then the observations appended',
    );
    assert.match(await readFile(path.join(roots.run, 'sb', 'state.json'), 'utf8'), /^\{"state":"running"/);
    const again = vcstore(['recover', '--root', root]);
    // The emptied state.json and the operator's notes were observed (events 4 and 5) before anything was rewritten; once only.
    assert.equal(again.stdout, 'sb: left in place: extra config/sb/notes.txt (at event 5)\n');
  } finally {
    await done();
  }
});

test('recover - refuses a journal damaged in the middle unless told to keep the good prefix, which it copies aside first', async (t) => {
  const { root, roots, done } = await populated(t);
  try {
    const file = journalFile(roots, 'sb');
    const original = await readFile(file);
    const [, , third] = await frames(file);
    await flipBit(file, third!.offset + 30);
    const damaged = await readFile(file);

    const refused = vcstore(['recover', '--root', root, '--sandbox', 'sb']);
    assert.equal(refused.code, 1);
    assert.match(
      refused.stdout,
      new RegExp(
        `^sb: refused: .*corrupt record at offset ${third!.offset}: CRC mismatch; run again with --truncate-at-corruption`,
      ),
    );
    assert.deepEqual(await readFile(file), damaged, 'nothing changed');

    const cut = vcstore(['recover', '--root', root, '--sandbox', 'sb', '--truncate-at-corruption', '--json']);
    assert.equal(cut.code, 0, cut.stderr);
    const report = JSON.parse(cut.stdout);
    // The tree still held what the cut third event had written: observed, as event 3, before it was restored.
    assert.equal(report.seq, 3);
    assert.deepEqual(await readFile(`${file}.broken`), damaged);
    assert.deepEqual((await readFile(file)).subarray(0, third!.offset), original.subarray(0, third!.offset));
    assert.equal(await exists(`${file}.broken`), true);
    // The files written by the events that were cut stay, reported, for the operator to judge.
    assert.deepEqual(report.leftovers, [{ path: 'run/sb/c/process.json', problem: 'extra' }]);
    assert.equal(vcstore(['verify', '--root', root]).code, 1);
  } finally {
    await done();
  }
});
