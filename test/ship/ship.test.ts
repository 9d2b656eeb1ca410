import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rootsUnder } from '../../src/layout/roots.ts';
import { jetstreamManager, StorageType } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { startShipper } from '../../src/ship/shipper.ts';
import { sandboxSubject } from '../../src/ship/subject.ts';
import { Store } from '../../src/store/store.ts';
import { natsCluster, skipWithoutNats } from '../helpers/nats.ts';
import { busySandbox, exported, heads, HOST, streamed } from './support.ts';
import { tempDir } from '../helpers/temp.ts';

test('ship - a busy host is shipped event for event: the stream equals export --all, no gap, no duplicate', async (t) => {
  if (skipWithoutNats(t)) return;
  const nats = await natsCluster();
  const root = await tempDir(t, 'ship');
  const roots = rootsUnder(root);
  const store = new Store({ roots });
  try {
    await busySandbox(store, 'old.1', { rounds: 20, remove: true }); // history from before the shipper
    const shipper = await startShipper({ servers: nats.urls, roots, host: HOST, pollMs: 20 });
    try {
      // Several sandboxes written while shipping, one of them created after the shipper started.
      await Promise.all(
        ['sb-a', 'sb.b', 'sb-c', 'sb-d'].map((id, i) => busySandbox(store, id, { rounds: 40 + i * 10 })),
      );
      await shipper.caughtUp(await heads(roots));
      assert.ok(
        shipper.lag().every((s) => s.lag === 0 && s.state === 'shipping'),
        JSON.stringify(shipper.lag()),
      );
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
  }
});

test('ship - a stream that does not fit is refused, and a stream that lost events stops the sandbox instead of reshipping', async (t) => {
  if (skipWithoutNats(t)) return;
  const nats = await natsCluster();
  const root = await tempDir(t, 'ship');
  const roots = rootsUnder(root);
  const store = new Store({ roots });
  const nc = await connect({ servers: nats.urls.split(',') });
  try {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: 'MEM', subjects: ['mem.>'], storage: StorageType.Memory });
    await assert.rejects(
      startShipper({ servers: nats.urls, roots, host: HOST, stream: { name: 'MEM', prefix: 'mem' } }),
      { code: 'ESTREAM', message: /storage is memory/ },
    );

    for (const id of ['kept', 'lost']) await busySandbox(store, id, { rounds: 3 });
    const first = await startShipper({ servers: nats.urls, roots, host: HOST, pollMs: 20 });
    await first.caughtUp(await heads(roots)).finally(() => first.stop());
    await jsm.streams.purge('VCSTORE', { filter: sandboxSubject('vcstore', HOST, 'lost') });
    const again = await startShipper({ servers: nats.urls, roots, host: HOST, pollMs: 20 });
    try {
      await again.caughtUp(await heads(roots));
      const lost = again.lag().find((s) => s.sandbox === 'lost');
      assert.equal(lost?.state, 'stopped');
      assert.match(
        lost?.error?.message ?? '',
        /the stream holds events up to 0 but 7 were acknowledged: the stream lost events/,
      );
      assert.equal(again.lag().find((s) => s.sandbox === 'kept')?.state, 'shipping');
    } finally {
      await again.stop();
    }
    assert.equal((await streamed(nats.urls)).bySandbox.has('lost'), false, 'nothing reshipped behind the operator');
  } finally {
    await nc.close();
    await store.close();
    await nats.close();
  }
});
