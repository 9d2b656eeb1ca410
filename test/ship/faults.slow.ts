import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { test, type TestContext } from 'node:test';
import { rootsUnder } from '../../src/layout/roots.ts';
import { startShipper } from '../../src/ship/shipper.ts';
import { Store } from '../../src/store/store.ts';
import { natsCluster, skipWithoutNats, type NatsCluster } from '../helpers/nats.ts';
import { busySandbox, exported, heads, HOST, messageCount, streamed } from './support.ts';
import { waitFor } from '../helpers/wait.ts';
import { CLI } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp.ts';

async function tempRoot(t: TestContext) {
  const root = await tempDir(t, 'ship');
  return { root, roots: rootsUnder(root) };
}

async function sameAsJournals(urls: string, root: string): Promise<void> {
  const local = await exported(rootsUnder(root));
  const total = [...local.values()].reduce((n, l) => n + l.length, 0);
  // A replica that was just restarted may answer the stream's message count before it has caught up: ask again.
  let remote = { bySandbox: new Map<string, string[]>(), messages: 0 };
  await waitFor(async () => (remote = await streamed(urls)).messages === total, {
    what: `the stream to hold all ${total} events`,
    detail: () => `it holds ${remote.messages}`,
  });
  assert.deepEqual(remote.bySandbox, local);
  assert.equal(remote.messages, total, 'no duplicate');
}

/** Runs `during` with the shipper going, stops it, then compares the stream with the journals; closes all. */
async function shipThenCompare(
  run: { shipper: Awaited<ReturnType<typeof startShipper>>; store: Store; nats: NatsCluster; root: string },
  during: () => Promise<void>,
): Promise<void> {
  try {
    await during();
  } finally {
    await run.shipper.stop();
  }
  try {
    await sameAsJournals(run.nats.urls, run.root);
  } finally {
    await run.store.close();
    await run.nats.close();
  }
}

test('ship - a shipper SIGKILLed mid-stream and restarted, several times, loses and duplicates nothing', async (t) => {
  if (skipWithoutNats(t)) return;
  const nats = await natsCluster();
  const { root, roots } = await tempRoot(t);
  const store = new Store({ roots });
  const ship = () =>
    spawn(process.execPath, [...CLI, 'ship', '--root', root, '--to', nats.urls, '--host', HOST], { stdio: 'ignore' });
  let child: ChildProcess | undefined;
  // A history from before, and more written while the shipper is killed again and again.
  await Promise.all(['k1', 'k.2', 'k3'].map((id) => busySandbox(store, id, { rounds: 100 })));
  const writing = Promise.all(['k4', 'k.5'].map((id) => busySandbox(store, id, { rounds: 150 })));
  try {
    for (const killAt of [100, 350, 600]) {
      child = ship();
      await waitFor(async () => (await messageCount(nats.urls)) >= killAt, { what: `${killAt} events shipped` });
      const exited = new Promise((r) => child!.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    }
    await writing;
    child = ship();
    const want = [...(await heads(roots)).values()].reduce((a, b) => a + b, 0);
    await waitFor(async () => (await messageCount(nats.urls)) >= want, { what: 'the last shipper to catch up' });
    await sameAsJournals(nats.urls, root);
  } finally {
    child?.kill('SIGKILL');
    await writing.catch(() => {});
    await store.close();
    await nats.close();
  }
});

test('ship - the server stopped during shipping, then restarted: the shipper resumes and the stream equals the journals', async (t) => {
  if (skipWithoutNats(t)) return;
  const nats = await natsCluster();
  const { roots, root } = await tempRoot(t);
  const store = new Store({ roots });
  const shipper = await startShipper({ servers: nats.urls, roots, host: HOST, pollMs: 20, ackTimeoutMs: 1000 });
  await shipThenCompare({ shipper, store, nats, root }, async () => {
    await busySandbox(store, 's1', { rounds: 20 });
    await shipper.caughtUp(await heads(roots));
    await nats.nodes[0]!.stop('kill');
    // Written while the server is down: they wait in the journals.
    await Promise.all(['s1-more', 's2'].map((id) => busySandbox(store, id, { rounds: 30 })));
    await waitFor(() => shipper.lag().some((s) => s.state === 'retrying' || s.lag > 0), {
      what: 'the shipper to notice',
    });
    await nats.nodes[0]!.start();
    await shipper.caughtUp(await heads(roots));
  });
});

test('ship - a 3-node cluster, R3 stream, one node killed and restarted during shipping: nothing lost, nothing duplicated', async (t) => {
  if (skipWithoutNats(t)) return;
  const nats = await natsCluster(3);
  const { roots, root } = await tempRoot(t);
  const store = new Store({ roots });
  const shipper = await startShipper({
    servers: nats.urls,
    roots,
    host: HOST,
    stream: { replicas: 3 },
    pollMs: 20,
    ackTimeoutMs: 2000,
  });
  await shipThenCompare({ shipper, store, nats, root }, async () => {
    const writing = Promise.all(['r1', 'r2', 'r.3'].map((id) => busySandbox(store, id, { rounds: 60 })));
    await waitFor(() => shipper.lag().some((s) => s.shippedSeq > 10), { what: 'some shipped' });
    await nats.nodes[0]!.stop('kill');
    await waitFor(() => shipper.lag().some((s) => s.shippedSeq > 40), {
      what: 'more shipped with a node down',
      timeout: 60_000,
    });
    await nats.nodes[0]!.start();
    await writing;
    await shipper.caughtUp(await heads(roots), 90_000);
  });
});
