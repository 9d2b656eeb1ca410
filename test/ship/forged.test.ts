import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { jetstream } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import stringify from 'fast-json-stable-stringify';
import { journaledSandboxes } from '../../src/layout/journals.ts';
import { journalFile, rootsUnder } from '../../src/layout/roots.ts';
import { hashBody } from '../../src/journal/record.ts';
import { writeCursor } from '../../src/ship/cursor.ts';
import { messageId, sandboxSubject } from '../../src/ship/subject.ts';
import { Store } from '../../src/store/store.ts';
import { natsCluster, skipWithoutNats } from '../helpers/nats.ts';
import { CLI, vcstore } from '../helpers/cli.ts';
import { events } from '../helpers/store.ts';
import { tempDir } from '../helpers/temp.ts';
import { waitFor } from '../helpers/wait.ts';
import { exists } from '../helpers/tree.ts';
import { busySandbox, HOST, messageCount } from './support.ts';

const lineOf = (out: string, id: string) => out.split('\n').find((l) => l.startsWith(`${id}: `)) ?? '';

test('ship forged duplicate - a record sent first under the next message ID stops the sandbox; status and prune see it', async (t) => {
  if (skipWithoutNats(t)) return;
  const nats = await natsCluster();
  const root = await tempDir(t, 'forged');
  const roots = rootsUnder(root);
  const store = new Store({ roots });
  const ship = spawn(process.execPath, [...CLI, 'ship', '--root', root, '--to', nats.urls, '--host', HOST], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, VCSTORE_LOG: '' },
  });
  let stderr = '';
  ship.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const nc = await connect({ servers: nats.urls.split(',') });
  try {
    await busySandbox(store, 'victim', { rounds: 2 }); // events 1 to 5
    await busySandbox(store, 'bystander', { rounds: 2, remove: true });
    await waitFor(async () => (await messageCount(nats.urls)) === 11, { what: 'both sandboxes shipped' });

    // The forger knows the scheme: the next event is 6, its message ID is public.
    const last = (await events(roots, 'victim')).at(-1)!;
    const forged = { ...last, seq: 6, prev: hashBody(Buffer.from(stringify(last))), time: new Date().toISOString() };
    await jetstream(nc).publish(sandboxSubject('vcstore', HOST, 'victim'), Buffer.from(stringify(forged)), {
      msgID: messageId(HOST, 'victim', 6),
    });
    await store.deleteSandboxResources('victim', null); // the real event 6: answered "duplicate"
    await waitFor(() => stderr.includes('victim: not shipped after event 5'), {
      what: 'the shipper to stop the victim',
      detail: () => stderr,
    });
    assert.match(stderr, /ESTREAM: .*event 6 was answered "duplicate" of stream message 12, which holds other bytes/);
    ship.kill('SIGTERM');
    await new Promise((r) => ship.once('exit', r));
    await store.close();

    const status = vcstore(['ship', '--status', '--root', root]);
    assert.equal(status.code, 1, status.stdout);
    assert.match(lineOf(status.stdout, 'victim'), /^victim: 5\/6 shipped, lag 1, stopped: ESTREAM: .*"duplicate"/);

    // prune keeps it, with or without the stream to read back; the bystander goes only after its read-back.
    const blind = vcstore(['prune', '--root', root, '--older-than', '0s']);
    assert.equal(blind.code, 0, blind.stderr);
    assert.match(lineOf(blind.stdout, 'victim'), /^victim: kept .*1 of 6 events not acknowledged/);
    assert.match(lineOf(blind.stdout, 'bystander'), /^bystander: kept .*give --from nats:/);
    const checked = vcstore(['prune', '--root', root, '--older-than', '0s', '--from', nats.urls]);
    assert.equal(checked.code, 0, checked.stderr);
    assert.match(lineOf(checked.stdout, 'victim'), /^victim: kept /);
    assert.match(lineOf(checked.stdout, 'bystander'), /^bystander: removed .*read back from the stream/);
    assert.deepEqual(await journaledSandboxes(roots), ['victim']);

    // A cursor that claims every event (edited, or written by a shipper that believed the duplicate) is not
    // enough: the read-back compares the stream's copy with the journal, event by event.
    await writeCursor(roots, 'victim', { stream: 'VCSTORE', host: HOST, seq: 6, streamSeq: 12 });
    const claimed = vcstore(['prune', '--root', root, '--older-than', '0s', '--from', nats.urls]);
    assert.equal(claimed.code, 0, claimed.stderr);
    assert.match(lineOf(claimed.stdout, 'victim'), /^victim: kept .*event 6 in the stream differs from the journal's/);
    assert.ok(await exists(journalFile(roots, 'victim')));
  } finally {
    ship.kill('SIGKILL');
    await nc.close();
    await store.close();
    await nats.close();
  }
});
