import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exportEvents } from '../../src/audit/export.ts';
import { journalHead } from '../../src/audit/head.ts';
import { journalFile } from '../../src/layout/roots.ts';
import { Store } from '../../src/store/store.ts';
import { sharedAuditScenario } from '../helpers/audit-scenario.ts';
import { vcstore } from '../helpers/cli.ts';
import { frames, sha256 } from '../helpers/corrupt.ts';

const s = sharedAuditScenario();

const bodies = async (sandbox: string) =>
  (await frames(journalFile(s.roots, sandbox))).map((f) => f.body.toString('utf8'));

test('audit export - each line is exactly the record body the journal stores and hashes', async () => {
  const lines: string[] = [];
  for await (const line of exportEvents(journalFile(s.roots, 'sb'))) lines.push(line);
  assert.deepEqual(lines, await bodies('sb'));
  assert.equal(lines.length, 12);
});

test('audit head - the hash of the last body, which the next record chains to', async () => {
  const file = journalFile(s.roots, 'sb');
  const head = await journalHead(file);
  const last = (await frames(file)).at(-1)!;
  assert.deepEqual(head, { seq: 12, hash: sha256(last.body), time: s.sb[11]!.time });
  const store = new Store({ roots: s.roots });
  try {
    const next = await store.storeSandboxResource('sb', 'state', { type: 'State', value: { state: 'paused' } });
    assert.equal(next.prev, head.hash, 'the recorded head is the next record’s prev');
    assert.notEqual((await journalHead(file)).hash, head.hash);
  } finally {
    await store.close();
  }
});

test('cli head - human and JSON', async () => {
  const hash = sha256((await frames(journalFile(s.roots, 'gone'))).at(-1)!.body);
  const human = vcstore(['head', '--root', s.root, '--sandbox', 'gone']);
  assert.equal(human.code, 0, human.stderr);
  assert.equal(human.stdout, `gone seq 3 sha256 ${hash} (${s.gone[2]!.time})\n`);
  const json = vcstore(['head', '--root', s.root, '--sandbox', 'gone', '--json']);
  assert.equal(json.stdout, `${JSON.stringify({ sandbox: 'gone', seq: 3, hash, time: s.gone[2]!.time })}\n`);
});

test('cli export - one sandbox or all, in ID order, as the stored bodies', async () => {
  const one = vcstore(['export', '--root', s.root, '--sandbox', 'gone']);
  assert.equal(one.code, 0, one.stderr);
  assert.equal(one.stdout, (await bodies('gone')).map((b) => `${b}\n`).join(''));
  const all = vcstore(['export', '--root', s.root, '--all']);
  assert.equal(all.code, 0, all.stderr);
  assert.equal(all.stdout, [...(await bodies('gone')), ...(await bodies('sb'))].map((b) => `${b}\n`).join(''));
  assert.equal(all.stderr, '', 'no progress bar when stderr is not a terminal');
  assert.equal(vcstore(['export', '--root', s.root]).code, 2);
  assert.equal(vcstore(['export', '--root', s.root, '--all', '--sandbox', 'sb']).code, 2);
});
