import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { journaledSandboxes } from '../../src/layout/journals.ts';
import { journalFile, type Roots } from '../../src/layout/roots.ts';
import { remoteBodies, remoteSandboxes } from '../../src/ship/remote-events.ts';
import type { Store } from '../../src/store/store.ts';
import { frames } from '../helpers/corrupt.ts';
import { retry } from '../helpers/wait.ts';

export const HOST = 'host.a'; // a `.` in the host ID: the subject encoding is exercised everywhere

/**
 * Every local record body, per sandbox: what the stream must hold. Read with
 * the tests' own frame reader, not the export code the shipper shares.
 */
export async function exported(roots: Roots): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const id of await journaledSandboxes(roots))
    out.set(
      id,
      (await frames(journalFile(roots, id))).map((f) => f.body.toString('utf8')),
    );
  return out;
}

/**
 * What the stream holds for a host, per sandbox (chain-checked), and its total
 * message count; nothing before the stream exists. Retried for a while: a node
 * just restarted may not answer JetStream requests yet.
 */
export async function streamed(
  urls: string,
  host = HOST,
  stream = 'VCSTORE',
  prefix = 'vcstore',
): Promise<{ bySandbox: Map<string, string[]>; messages: number }> {
  return retry(() => streamedOnce(urls, host, stream, prefix), {
    what: `the stream ${stream} to answer`,
    timeout: 20_000,
  });
}

async function streamedOnce(urls: string, host: string, stream: string, prefix: string) {
  const nc = await connect({ servers: urls.split(',') });
  try {
    const jsm = await jetstreamManager(nc);
    const js = jetstream(nc);
    const bySandbox = new Map<string, string[]>();
    const info = await jsm.streams.info(stream).catch((err: Error) => {
      if (/stream not found/.test(err.message)) return undefined;
      throw err;
    });
    if (info === undefined) return { bySandbox, messages: 0 };
    for (const sandbox of await remoteSandboxes(jsm, stream, prefix, host)) {
      const lines: string[] = [];
      for await (const { body } of remoteBodies({ js, jsm, stream, prefix, host, sandbox }))
        lines.push(body.toString('utf8'));
      bySandbox.set(sandbox, lines);
    }
    const messages = (await jsm.streams.info(stream)).state.messages;
    return { bySandbox, messages };
  } finally {
    await nc.close();
  }
}

/** How many messages the stream holds (0 before it exists): a cheap progress probe. */
export async function messageCount(urls: string, stream = 'VCSTORE'): Promise<number> {
  const nc = await connect({ servers: urls.split(',') });
  try {
    const jsm = await jetstreamManager(nc);
    return await jsm.streams.info(stream).then(
      (i) => i.state.messages,
      () => 0,
    );
  } finally {
    await nc.close();
  }
}

/** The journal heads now, for `caughtUp`. */
export async function heads(roots: Roots): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const [id, lines] of await exported(roots)) out.set(id, lines.length);
  return out;
}

/** A sandbox's lifecycle: created, `rounds` pairs of stores, then deleted whole if `remove`. */
export async function busySandbox(store: Store, id: string, opts: { rounds: number; remove?: boolean }): Promise<void> {
  await store.createAllResources({ id, containers: ['c1'] });
  for (let i = 0; i < opts.rounds; i++) {
    await store.storeSandboxResource(id, 'state', { type: 'State', value: { state: i % 2 ? 'running' : 'paused' } });
    await store.storeContainerProcess(id, 'c1', { Token: `t${i}`, Pid: 100 + i, StartTime: '2026-11-29T10:00:00Z' });
  }
  if (opts.remove) await store.deleteSandboxResources(id, null);
}
