import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rootsUnder } from '../../src/layout/roots.ts';
import { natsCluster, skipWithoutNats } from '../helpers/nats.ts';
import { call, startServe } from '../helpers/serve.ts';
import { waitFor } from '../helpers/wait.ts';
import { exported, HOST, streamed } from '../ship/support.ts';
import { tempDir } from '../helpers/temp.ts';

const state = (blockIndex: number) => ({
  sandboxID: 'sb',
  resource: 'state',
  data: { type: 'State', value: { state: 'running', blockIndex } },
});

test('serve --ship - the daemon ships every event it writes, and /metrics shows the lag per sandbox', async (t) => {
  if (skipWithoutNats(t)) return;
  const nats = await natsCluster();
  const root = await tempDir(t, 'serve-ship');
  const daemon = await startServe(root, ['--ship', nats.urls, '--host', HOST]);
  try {
    assert.equal((await call(daemon.socket, 'POST', '/v1/createAllResources', { sandboxID: 'sb' })).status, 200);
    for (let i = 0; i < 20; i++)
      assert.equal((await call(daemon.socket, 'POST', '/v1/storeSandboxResource', state(i))).status, 200);
    const lag = async () =>
      /vcstore_ship_lag_events\{sandbox="sb"\} (\d+)/.exec((await call(daemon.socket, 'GET', '/metrics')).text)?.[1];
    await waitFor(async () => (await lag()) === '0', { what: 'the shipper to catch up', timeout: 30_000 });
    const remote = await streamed(nats.urls);
    assert.deepEqual(remote.bySandbox, await exported(rootsUnder(root)));
    assert.equal(await daemon.stop(), 0, daemon.stderr());
  } finally {
    await daemon.kill();
    await nats.close();
  }
});
