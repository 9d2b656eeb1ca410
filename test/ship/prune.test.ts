import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { journaledSandboxes } from '../../src/layout/journals.ts';
import { journalFile, rootsUnder } from '../../src/layout/roots.ts';
import { startShipper } from '../../src/ship/shipper.ts';
import { Store } from '../../src/store/store.ts';
import { natsCluster, skipWithoutNats } from '../helpers/nats.ts';
import { vcstore } from '../helpers/cli.ts';
import { busySandbox, heads, HOST } from './support.ts';
import { tempDir } from '../helpers/temp.ts';
import { exists } from '../helpers/tree.ts';

const lineOf = (out: string, id: string) => out.split('\n').find((l) => l.startsWith(`${id}: `)) ?? '';

test('prune - without shipping: a deleted sandbox goes once past the cutoff; a live one never', async (t) => {
  const root = await tempDir(t, 'prune');
  const roots = rootsUnder(root);
  const store = new Store({ roots });
  try {
    await busySandbox(store, 'live', { rounds: 2 });
    await busySandbox(store, 'gone', { rounds: 2, remove: true });
    await store.close();
    const recent = vcstore(['prune', '--root', root, '--older-than', '1h']);
    assert.equal(recent.code, 0, recent.stderr);
    assert.match(
      lineOf(recent.stdout, 'gone'),
      /^gone: kept \(6 events, \d+ bytes\): deleted at .*, not before the cutoff/,
    );
    assert.match(lineOf(recent.stdout, 'live'), /^live: kept .*: live: not deleted$/);
    const dry = vcstore(['prune', '--root', root, '--older-than', '0s', '--dry-run']);
    assert.match(lineOf(dry.stdout, 'gone'), /^gone: would remove/);
    assert.ok(await exists(journalFile(roots, 'gone')), 'a dry run removes nothing');
    const done = vcstore(['prune', '--root', root, '--older-than', '0s']);
    assert.match(
      lineOf(done.stdout, 'gone'),
      /^gone: removed \(6 events, \d+ bytes\): deleted before .*, nothing left in the legacy tree$/,
    );
    assert.deepEqual(await journaledSandboxes(roots), ['live']);
    assert.ok(!(await exists(path.dirname(journalFile(roots, 'gone')))), 'journal and checkpoint gone');
  } finally {
    await store.close();
  }
});

test('prune - with shipping: unshipped events and leftovers in the legacy tree keep a journal; a shipped one goes', async (t) => {
  if (skipWithoutNats(t)) return;
  const nats = await natsCluster();
  const root = await tempDir(t, 'prune');
  const roots = rootsUnder(root);
  const store = new Store({ roots });
  try {
    await busySandbox(store, 'shipped', { rounds: 2, remove: true });
    await busySandbox(store, 'leftover', { rounds: 2, remove: true });
    await busySandbox(store, 'unshipped', { rounds: 2 });
    const shipper = await startShipper({ servers: nats.urls, roots, host: HOST, pollMs: 20 });
    try {
      await shipper.caughtUp(await heads(roots));
    } finally {
      await shipper.stop();
    }
    await store.deleteSandboxResources('unshipped', null); // after the shipper stopped: never acknowledged
    await store.close();
    await mkdir(path.join(roots.run, 'leftover'), { recursive: true }); // something of it is back in the tree

    const run = vcstore(['prune', '--root', root, '--older-than', '0s', '--from', nats.urls]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(lineOf(run.stdout, 'unshipped'), /^unshipped: kept .*: 1 of 6 events not acknowledged by the stream$/);
    assert.match(
      lineOf(run.stdout, 'leftover'),
      /^leftover: kept .*run\/virtcontainers\/sandboxes\/leftover is still in the legacy tree$/,
    );
    assert.match(lineOf(run.stdout, 'shipped'), /^shipped: removed .*every event read back from the stream$/);
    assert.deepEqual(await journaledSandboxes(roots), ['leftover', 'unshipped']);
  } finally {
    await store.close();
    await nats.close();
  }
});
