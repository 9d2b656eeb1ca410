import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { errStream } from '../errors.ts';
import { writeScratchJournal } from '../store/session/restore.ts';
import { checkId } from '../layout/ids.ts';
import { journalFile, rootsUnder } from '../layout/roots.ts';
import { connectTo, type NatsTarget } from './connect.ts';
import { remoteBodies } from './remote-events.ts';
import { DEFAULT_STREAM } from './stream.ts';
import type { Trust } from './trust.ts';

export interface RemoteHost extends NatsTarget {
  host: string;
  /** stream name and subject prefix (default VCSTORE, vcstore) */
  stream?: string | undefined;
  prefix?: string | undefined;
  /** the hosts' public keys: every message read must be signed by its host */
  trust?: Trust | undefined;
}

export interface Remote {
  js: JetStreamClient;
  jsm: JetStreamManager;
  stream: string;
  prefix: string;
  host: string;
  trust?: Trust | undefined;
}

/** Runs `fn` with a connection to the stream that holds a host's history, closed after. */
export async function withRemote<T>(target: RemoteHost, fn: (remote: Remote) => Promise<T>): Promise<T> {
  const nc = await connectTo(target);
  try {
    const jsm = await jetstreamManager(nc);
    const stream = target.stream ?? DEFAULT_STREAM.name;
    await jsm.streams.info(stream).catch((err: Error) => {
      throw errStream(`stream ${stream} on ${target.servers}: ${err.message}`, { cause: err });
    });
    return await fn({
      js: jetstream(nc),
      jsm,
      stream,
      prefix: target.prefix ?? DEFAULT_STREAM.prefix,
      host: target.host,
      trust: target.trust,
    });
  } finally {
    await nc.close();
  }
}

/**
 * A sandbox's history from the stream, chain-checked end to end, as a journal
 * in a temporary folder: the audit commands then read it exactly as they read
 * a local one. The folder is removed after `fn`.
 */
export async function withRemoteJournal<T>(
  remote: Remote,
  sandbox: string,
  fn: (file: string) => Promise<T>,
): Promise<T> {
  checkId('sandbox', sandbox);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vcstore-remote-'));
  try {
    const file = journalFile(rootsUnder(dir), sandbox);
    await writeScratchJournal(file, bodiesOf(remote, sandbox));
    return await fn(file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function* bodiesOf(remote: Remote, sandbox: string): AsyncGenerator<Buffer> {
  for await (const { body } of remoteBodies({ ...remote, sandbox })) yield body;
}
