import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { rootsUnder } from '../../src/layout/roots.ts';
import { startShipper } from '../../src/ship/shipper.ts';
import { Store } from '../../src/store/store.ts';
import { natsCluster, skipWithoutNats } from '../helpers/nats.ts';
import { busySandbox, exported, heads, HOST, streamed } from './support.ts';

test('ship - a busy host is shipped event for event: the stream equals export --all, no gap, no duplicate', async (t) => {
  if (skipWithoutNats(t)) return;
  const nats = await natsCluster();
  const root = await mkdtemp(path.join(os.tmpdir(), 'vcstore-ship-'));
  const roots = rootsUnder(root);
  const store = new Store({ roots });
  try {
    await busySandbox(store, 'old.1', { rounds: 20, remove: true }); // history from before the shipper
    const shipper = await startShipper({ servers: nats.urls, roots, host: HOST, pollMs: 20 });
    try {
      // Several sandboxes written while shipping, one of them created after the shipper started.
      await Promise.all(['sb-a', 'sb.b', 'sb-c', 'sb-d'].map((id, i) => busySandbox(store, id, { rounds: 40 + i * 10 })));
      await shipper.caughtUp(await heads(roots));
      assert.ok(shipper.lag().every((s) => s.lag === 0 && s.state === 'shipping'), JSON.stringify(shipper.lag()));
    } finally {
      await shipper.stop();
    }
    const local = await exported(roots);
    const remote = await streamed(nats.urls);
    assert.deepEqual(remote.bySandbox, local);
    const total = [...local.values()].reduce((n, l) => n + l.length, 0);
    assert.equal(remote.messages, total, 'every event once');
  } finally {
    await store.close();
    await nats.close();
    await rm(root, { recursive: true, force: true });
  }
});
