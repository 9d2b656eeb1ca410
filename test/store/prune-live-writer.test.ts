import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { readEvents } from '../../src/journal/reader.ts';
import { journalFile, rootsUnder, type Roots } from '../../src/layout/roots.ts';
import { verify } from '../../src/recovery/verify.ts';
import { prune } from '../../src/ship/prune.ts';
import { Store } from '../../src/store/store.ts';
import { vcstore } from '../helpers/cli.ts';
import { call, startServe } from '../helpers/serve.ts';
import { tempDir } from '../helpers/temp.ts';

const state = (s: string) => ({ type: 'State' as const, value: { state: s } });
/** A cutoff every event already written is before. */
const future = () => new Date(Date.now() + 60_000).toISOString();

async function opsOf(roots: Roots, sandbox: string): Promise<string[]> {
  const ops: string[] = [];
  for await (const event of readEvents(journalFile(roots, sandbox))) ops.push(`${event.seq}:${event.op}`);
  return ops;
}

test('store - a prune under a live Store, then the same ID again: nothing acknowledged is lost', async (t) => {
  const roots = rootsUnder(await tempDir(t, 'prune-live'));
  const store = new Store({ roots });
  try {
    await store.createAllResources({ id: 'sbx' });
    await store.storeSandboxResource('sbx', 'state', state('running'));
    await store.deleteSandboxResources('sbx', null);
    const verdicts = await prune(roots, { cutoff: future() });
    assert.deepEqual(
      verdicts.map((v) => `${v.sandbox}: ${v.action}`),
      ['sbx: removed'],
    );

    // The Store still holds the first journal open: its next events must land in a new one at the path.
    const created = await store.createAllResources({ id: 'sbx' });
    const stored = await store.storeSandboxResource('sbx', 'state', state('again'));
    assert.equal(created.seq, 1, 'a re-created sandbox starts a new journal');
    assert.equal(stored.seq, 2);
  } finally {
    await store.close();
  }
  assert.deepEqual(await opsOf(roots, 'sbx'), ['1:create', '2:store']);
  const report = await verify(roots);
  assert.equal(report.consistent, true, JSON.stringify(report));
  assert.match(await readFile(path.join(roots.run, 'sbx/state.json'), 'utf8'), /^\{"state":"again",/);
});

test('store - a prune under a live daemon, then the same ID again: log and verify see every answered event', async (t) => {
  const root = await tempDir(t, 'prune-daemon');
  const roots = rootsUnder(root);
  const daemon = await startServe(root);
  const post = (method: string, body: unknown) => call(daemon.socket, 'POST', `/v1/${method}`, body);
  try {
    assert.equal((await post('createAllResources', { sandboxID: 'sbx' })).status, 200);
    const first = { sandboxID: 'sbx', resource: 'state', data: state('running') };
    assert.equal((await post('storeSandboxResource', first)).status, 200);
    assert.equal((await post('deleteSandboxResources', { sandboxID: 'sbx', resources: null })).status, 200);
    const pruned = vcstore(['prune', '--root', root, '--older-than', '0s']);
    assert.equal(pruned.code, 0, pruned.stderr);
    assert.match(pruned.stdout, /^sbx: removed/m);

    const created = await post('createAllResources', { sandboxID: 'sbx' });
    assert.equal(created.status, 200, created.text);
    const again = { sandboxID: 'sbx', resource: 'state', data: state('again') };
    const stored = await post('storeSandboxResource', again);
    assert.equal(stored.status, 200, stored.text);
    assert.deepEqual([created.json().seq, stored.json().seq], [1, 2], 'the answers name events of the new journal');
  } finally {
    assert.equal(await daemon.stop(), 0, daemon.stderr());
  }
  const log = vcstore(['log', '--root', root, '--sandbox', 'sbx', '--json']);
  assert.equal(log.code, 0, log.stderr);
  assert.deepEqual(await opsOf(roots, 'sbx'), ['1:create', '2:store']);
  const checked = vcstore(['verify', '--root', root]);
  assert.equal(checked.code, 0, checked.stdout + checked.stderr);
});
