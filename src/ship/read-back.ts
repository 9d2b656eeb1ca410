import type { NatsConnection } from '@nats-io/transport-node';
import { isStoreError } from '../errors.ts';
import { readEvents } from '../journal/reader.ts';
import { canonicalBody, hashBody } from '../journal/record.ts';
import { journalFile, type Roots } from '../layout/roots.ts';
import type { NatsTarget } from './connect.ts';
import { readCursor } from './cursor.ts';
import { remoteBodies } from './remote-events.ts';
import { DEFAULT_STREAM } from './stream.ts';
import type { Trust } from './trust.ts';

export interface ReadBackTarget extends NatsTarget {
  /** the subject prefix the root was shipped under (default vcstore) */
  prefix?: string | undefined;
  /** the hosts' public keys: every message read back must be signed by its host's key */
  trust?: Trust | undefined;
}

/**
 * Whether the stream holds a sandbox's whole journal, checked by reading it
 * back: `confirm` answers why not (to keep the journal), or undefined when
 * every event of the journal is in the stream, in order, with the same hash,
 * and the stream holds nothing after it. A cursor or a counter is never taken
 * for this: a forged duplicate makes both say "shipped".
 */
export interface ReadBack {
  confirm(roots: Roots, sandbox: string): Promise<string | undefined>;
  close(): Promise<void>;
}

/** Connects on the first `confirm`, once. */
export function readBack(target: ReadBackTarget): ReadBack {
  let nc: Promise<NatsConnection> | undefined;
  return {
    async confirm(roots, sandbox) {
      const cursor = await readCursor(roots, sandbox);
      if (cursor === undefined) return 'never shipped';
      // The NATS client loads only when a shipped journal is about to go (prune imports this module).
      const { connectTo, jetStreamOf } = await import('./connect.ts');
      nc ??= connectTo(target);
      const remote = {
        ...(await jetStreamOf(await nc)),
        stream: cursor.stream,
        prefix: target.prefix ?? DEFAULT_STREAM.prefix,
        host: cursor.host,
        sandbox,
        ...(target.trust === undefined ? {} : { trust: target.trust }),
      };
      try {
        return await compare(remote, journalFile(roots, sandbox));
      } catch (err) {
        if (isStoreError(err) && err.code !== 'EREMOTE')
          return `the stream's copy is refused: ${err.code}: ${err.message}`;
        throw err;
      }
    },
    async close() {
      if (nc) await (await nc.catch(() => undefined))?.close();
    },
  };
}

/** Why the stream's history of the sandbox is not the journal's, or undefined when it is, event for event. */
async function compare(remote: Parameters<typeof remoteBodies>[0], file: string): Promise<string | undefined> {
  const local = readEvents(file)[Symbol.asyncIterator]();
  let seq = 0;
  for await (const { event, body } of remoteBodies(remote)) {
    const mine = await local.next();
    if (mine.done) return `the stream holds event ${event.seq}, after the journal's last (${seq})`;
    const { offset: _offset, ...journal } = mine.value;
    seq = journal.seq;
    if (event.seq !== journal.seq || hashBody(body) !== hashBody(canonicalBody(journal)))
      return `event ${journal.seq} in the stream differs from the journal's`;
  }
  const rest = await local.next();
  if (!rest.done) return `the stream ends at event ${seq}, the journal holds ${rest.value.seq} and more`;
  await local.return?.(undefined);
  return undefined;
}

/** Why a shipped journal must stay (no stream to read it back from, or a copy that differs), or undefined. */
export async function confirmShipped(
  readBack: ReadBack | undefined,
  roots: Roots,
  sandbox: string,
): Promise<string | undefined> {
  if (readBack === undefined) return "shipped: give --from nats://… so the stream's copy is read back before removal";
  const why = await readBack.confirm(roots, sandbox);
  return why === undefined ? undefined : `not removed after reading the stream back: ${why}`;
}
