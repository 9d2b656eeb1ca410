import assert from 'node:assert/strict';
import { test } from 'node:test';
import stringify from 'fast-json-stable-stringify';
import { journalFile, rootsUnder } from '../../src/layout/roots.ts';
import { startShipper } from '../../src/ship/shipper.ts';
import { Store } from '../../src/store/store.ts';
import { appendBytes, flipBit, frame, frames } from '../helpers/corrupt.ts';
import { natsCluster, skipWithoutNats } from '../helpers/nats.ts';
import { events } from '../helpers/store.ts';
import { vcstore } from '../helpers/cli.ts';
import { busySandbox, exported, HOST, streamed } from './support.ts';
import { tempDir } from '../helpers/temp.ts';
import { waitFor } from '../helpers/wait.ts';

test('ship - a record with a bad CRC or a broken chain is not shipped: its sandbox stops there and is reported', async (t) => {
  if (skipWithoutNats(t)) return;
  const nats = await natsCluster();
  const root = await tempDir(t, 'tamper');
  const roots = rootsUnder(root);
  const store = new Store({ roots });
  try {
    for (const id of ['good', 'bad-crc', 'bad-chain']) await busySandbox(store, id, { rounds: 4 });
    await store.close();
    const good = await exported(roots);

    // A flipped bit inside record 5's body: its CRC fails.
    const crcFile = journalFile(roots, 'bad-crc');
    const fifth = (await frames(crcFile))[4]!;
    await flipBit(crcFile, fifth.offset + 8 + 20);
    // A well-formed record 10 whose prev hash is not record 9's: the chain breaks.
    const chainFile = journalFile(roots, 'bad-chain');
    const last = (await events(roots, 'bad-chain')).at(-1)!;
    const forged = { ...last, seq: last.seq + 1, prev: 'ab'.repeat(32) };
    await appendBytes(chainFile, frame(Buffer.from(stringify(forged))));

    const shipper = await startShipper({ servers: nats.urls, roots, host: HOST, pollMs: 20 });
    try {
      const heads = new Map([
        ['good', 9],
        ['bad-crc', 4],
        ['bad-chain', 9],
      ]);
      await shipper.caughtUp(heads);
      // Reaching the last good record comes before reading the damaged one that stops the sandbox.
      const stopped = (id: string) => shipper.lag().find((s) => s.sandbox === id)?.state === 'stopped';
      await waitFor(() => stopped('bad-crc') && stopped('bad-chain'), { what: 'both damaged sandboxes stopped' });
      const lag = Object.fromEntries(shipper.lag().map((s) => [s.sandbox, s]));
      assert.equal(lag['good']?.state, 'shipping');
      assert.equal(lag['bad-crc']?.state, 'stopped');
      assert.equal(lag['bad-crc']?.error?.code, 'ECORRUPT');
      assert.equal(lag['bad-chain']?.state, 'stopped');
      assert.equal(lag['bad-chain']?.error?.code, 'ECHAIN');
    } finally {
      await shipper.stop();
    }
    const remote = await streamed(nats.urls);
    assert.deepEqual(remote.bySandbox.get('good'), good.get('good'));
    assert.deepEqual(
      remote.bySandbox.get('bad-crc'),
      good.get('bad-crc')!.slice(0, 4),
      'only the records before the damage',
    );
    assert.deepEqual(remote.bySandbox.get('bad-chain'), good.get('bad-chain'), 'the forged record is not shipped');

    const status = vcstore(['ship', '--status', '--root', root]);
    assert.equal(status.code, 1);
    assert.match(status.stdout, /^bad-chain: 9\/9 shipped, lag 0, stopped: ECHAIN: .*does not chain/m);
    assert.match(status.stdout, /^bad-crc: 4\/4 shipped, lag 0, stopped: ECORRUPT: /m);
    assert.match(status.stdout, /^good: 9\/9 shipped, lag 0$/m);
  } finally {
    await store.close();
    await nats.close();
  }
});
