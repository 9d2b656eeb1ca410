import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { journaledSandboxes } from '../../src/layout/journals.ts';
import { journalFile, rootsUnder } from '../../src/layout/roots.ts';
import { startShipper } from '../../src/ship/shipper.ts';
import { Store } from '../../src/store/store.ts';
import { natsCluster, skipWithoutNats, type NatsCluster } from '../helpers/nats.ts';
import { snapshot } from '../helpers/tree.ts';
import { vcstore, vcstoreAsync } from '../helpers/cli.ts';
import { busySandbox, heads, HOST } from './support.ts';
import { diffPoints } from '../../src/audit/diff.ts';
import { jsonText } from '../../src/audit/json-diff.ts';
import { replayToDir } from '../../src/audit/materialize.ts';
import { resourceAt } from '../../src/audit/show.ts';
import { events } from '../helpers/store.ts';
import { tempDir } from '../helpers/temp.ts';

// The journals are compared byte for byte below; the ship key is the lost host's own, never restored.
const legacyOnly = (rel: string) =>
  rel.startsWith('var/lib/virtcontainers/journal') || rel === 'var/lib/virtcontainers/vcstore-ship.key';

/** A host with live, deleted and dotted sandboxes, shipped whole. */
async function shippedHost(nats: NatsCluster, root: string): Promise<void> {
  const roots = rootsUnder(root);
  const store = new Store({ roots });
  try {
    await busySandbox(store, 'live.1', { rounds: 15 });
    await busySandbox(store, 'gone', { rounds: 5, remove: true });
    await busySandbox(store, 'live-2', { rounds: 3 });
  } finally {
    await store.close();
  }
  const shipper = await startShipper({ servers: nats.urls, roots, host: HOST, pollMs: 20 });
  try {
    await shipper.caughtUp(await heads(roots));
  } finally {
    await shipper.stop();
  }
}

test('ship restore - a host rebuilt from the stream into an empty root: verify is clean, journals and tree byte-identical', async (t) => {
  if (skipWithoutNats(t)) return;
  const nats = await natsCluster();
  const dir = await tempDir(t, 'restore');
  const [original, restored] = [path.join(dir, 'a'), path.join(dir, 'b')];
  try {
    await shippedHost(nats, original);
    const keys = vcstore(['keys', '--root', original, '--host', HOST]);
    assert.equal(keys.code, 0, keys.stderr);
    const trust = path.join(dir, 'trust');
    await writeFile(trust, keys.stdout);
    const run = vcstore(['restore', '--from', nats.urls, '--host', HOST, '--root', restored, '--trust', trust]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr, '', 'authorship checked: no warning');
    assert.match(run.stdout, /^gone: 12 events restored/m);

    const check = vcstore(['verify', '--root', restored]);
    assert.equal(check.code, 0, check.stdout + check.stderr);
    assert.deepEqual(await snapshot(restored, legacyOnly), await snapshot(original, legacyOnly));
    const ids = await journaledSandboxes(rootsUnder(original));
    assert.deepEqual(await journaledSandboxes(rootsUnder(restored)), ids);
    for (const id of ids) {
      assert.ok(
        (await readFile(journalFile(rootsUnder(restored), id))).equals(
          await readFile(journalFile(rootsUnder(original), id)),
        ),
        id,
      );
    }
    const again = vcstore(['restore', '--from', nats.urls, '--host', HOST, '--root', restored]);
    assert.equal(again.code, 2, 'a root with journals is refused');
  } finally {
    await nats.close();
  }
});

test('ship read-back - log, show, diff, replay and verify --from give what the local journal gives', async (t) => {
  if (skipWithoutNats(t)) return;
  const nats = await natsCluster();
  const dir = await tempDir(t, 'from');
  const root = path.join(dir, 'host');
  const roots = rootsUnder(root);
  const remote = ['--from', nats.urls, '--host', HOST];
  try {
    await shippedHost(nats, root);
    const file = journalFile(roots, 'live.1');
    const [outA, outB] = [path.join(dir, 'ra'), path.join(dir, 'rb')];
    // Independent reads, run side by side.
    const [log, show, diffUrl, diffNats, replay, verified, unknown] = await Promise.all([
      vcstoreAsync(['log', '--sandbox', 'live.1', '--json', ...remote]),
      vcstoreAsync(['show', '--sandbox', 'live.1', '--resource', 'state', '--at', '7', ...remote]),
      // diff has its own --from (an event): a nats:// URL given to it names the server, or --nats does.
      vcstoreAsync(['diff', '--sandbox', 'live.1', '--from', '2', '--to', '9', '--json', ...remote]),
      vcstoreAsync([
        'diff',
        '--sandbox',
        'live.1',
        '--from',
        '2',
        '--to',
        '9',
        '--json',
        '--nats',
        nats.urls,
        '--host',
        HOST,
      ]),
      vcstoreAsync(['replay', '--sandbox', 'live.1', '--at', '20', '--out', outB, ...remote]),
      vcstoreAsync(['verify', ...remote]),
      vcstoreAsync(['log', '--sandbox', 'nope', ...remote]),
    ]);
    for (const run of [log, show, diffUrl, diffNats, replay, verified]) assert.equal(run.code, 0, run.stderr);
    const local = await events(roots, 'live.1');
    assert.equal(log.stdout, local.map((e) => `${JSON.stringify(e)}\n`).join(''));
    assert.equal(show.stdout, (await resourceAt(file, { sandbox: 'live.1', resource: 'state' }, { seq: 7 })).content);
    const changes = (await diffPoints(file, 2, 9)).map((c) => `${jsonText(c)}\n`).join('');
    assert.ok(changes.length > 0);
    assert.equal(diffUrl.stdout, changes);
    assert.equal(diffNats.stdout, changes);
    await replayToDir(file, { seq: 20 }, outA);
    assert.deepEqual(await snapshot(outB), await snapshot(outA));
    assert.match(verified.stdout, /^gone: ok, 12 events/m);
    assert.match(verified.stdout, /^live\.1: ok, 31 events/m);
    assert.equal(unknown.code, 3);
    assert.match(unknown.stderr, /ESTREAM: stream VCSTORE holds nothing for host host\.a, sandbox nope/);
  } finally {
    await nats.close();
  }
});
