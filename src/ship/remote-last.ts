import type { JetStreamManager } from '@nats-io/jetstream';
import { errStream } from '../errors.ts';
import { decodeBody, hashBody } from '../journal/record.ts';

export interface RemoteLast {
  /** the event's sequence number in its journal */
  seq: number;
  /** the message's sequence number in the stream */
  streamSeq: number;
  /** SHA-256 of the body, to compare with the journal's record; absent for one this process just shipped */
  hash?: string;
}

/** The last message the stream holds for a subject, or undefined when it holds none. */
export async function remoteLast(
  jsm: JetStreamManager,
  stream: string,
  subject: string,
): Promise<RemoteLast | undefined> {
  const msg = await jsm.streams.getMessage(stream, { last_by_subj: subject });
  if (msg === null) return undefined;
  const decoded = decodeBody(Buffer.from(msg.data));
  if (!('event' in decoded)) throw errStream(`${stream} message ${msg.seq} on ${subject}: ${decoded.why}`);
  return { seq: decoded.event.seq, streamSeq: msg.seq, hash: hashBody(msg.data) };
}
