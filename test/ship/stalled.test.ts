import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { rootsUnder } from '../../src/layout/roots.ts';
import { remoteBodies } from '../../src/ship/remote-events.ts';
import { startShipper } from '../../src/ship/shipper.ts';
import { Store } from '../../src/store/store.ts';
import { natsCluster, skipWithoutNats } from '../helpers/nats.ts';
import { tempDir } from '../helpers/temp.ts';
import { busySandbox, heads, HOST } from './support.ts';

test('ship read-back - a stream that stops delivering before the last event fails with ESTREAM, not a wait forever', async (t) => {
  if (skipWithoutNats(t)) return;
  const nats = await natsCluster(1);
  try {
    const roots = rootsUnder(await tempDir(t, 'stalled'));
    const store = new Store({ roots });
    try {
      await busySandbox(store, 'sb', { rounds: 700 }); // more events than one pull of the reader brings
    } finally {
      await store.close();
    }
    const total = (await heads(roots)).get('sb')!;
    const shipper = await startShipper({ servers: nats.urls, roots, host: HOST, pollMs: 20 });
    try {
      await shipper.caughtUp(await heads(roots));
    } finally {
      await shipper.stop();
    }

    const nc = await connect({ servers: nats.urls.split(',') });
    const remote = {
      js: jetstream(nc),
      jsm: await jetstreamManager(nc),
      stream: 'VCSTORE',
      prefix: 'vcstore',
      host: HOST,
    };
    try {
      // The whole history reads back.
      let count = 0;
      for await (const _ of remoteBodies({ ...remote, sandbox: 'sb' })) count++;
      assert.equal(count, total);

      // The server freezes after the first event: the reader gives up after its idle time and says why.
      let read = 0;
      const reading = (async () => {
        for await (const _ of remoteBodies({ ...remote, sandbox: 'sb' }, { idleMs: 1000 })) {
          if (read++ === 0) nats.nodes[0]!.pause();
        }
      })();
      await assert.rejects(reading, (err: Error & { code?: string }) => {
        assert.equal(err.code, 'ESTREAM');
        assert.match(
          err.message,
          new RegExp(`no message for 1000 ms after event \\d+ before its last event \\(${total},`),
        );
        return true;
      });
      assert.ok(read > 0 && read < total, `read ${read} of ${total} events`);
    } finally {
      nats.nodes[0]!.resume();
      await nc.close();
    }
  } finally {
    await nats.close();
  }
});
