import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import { errCorrupt, errStream } from '../errors.ts';
import { Chain } from '../journal/chain.ts';
import { decodeBody, type JournalEvent } from '../journal/record.ts';
import { hostSubjects, sandboxOfSubject, sandboxSubject } from './subject.ts';

export interface RemoteSandbox {
  js: JetStreamClient;
  jsm: JetStreamManager;
  stream: string;
  prefix: string;
  host: string;
  sandbox: string;
}

/**
 * A sandbox's record bodies as the stream holds them, oldest first, each
 * checked like a journal record (schema, sequence, hash chain) before it is
 * yielded: a gap, a duplicate or a changed message throws ECHAIN.
 */
export async function* remoteBodies(
  src: RemoteSandbox,
): AsyncGenerator<{ event: JournalEvent; body: Buffer; streamSeq: number }> {
  const subject = sandboxSubject(src.prefix, src.host, src.sandbox);
  // Asked of the stream's leader: the consumer below may sit on a replica still catching up,
  // whose pending count would end the history early.
  const last = await src.jsm.streams.getMessage(src.stream, { last_by_subj: subject });
  if (last === null) {
    throw errStream(`stream ${src.stream} holds nothing for host ${src.host}, sandbox ${src.sandbox} (${subject})`);
  }
  const label = `${src.stream}:${subject}`;
  const chain = new Chain();
  const consumer = await src.js.consumers.get(src.stream, { filter_subjects: subject });
  const messages = await consumer.consume({ max_messages: 1000 });
  try {
    for await (const msg of messages) {
      const body = Buffer.from(msg.data);
      const decoded = decodeBody(body);
      if (!('event' in decoded)) throw errCorrupt(`${label} message ${msg.seq}: ${decoded.why}`, { offset: msg.seq });
      if (decoded.event.sandbox !== src.sandbox)
        throw errStream(`${label} message ${msg.seq} is an event of sandbox ${decoded.event.sandbox}`);
      chain.accept(decoded.event, body, label, msg.seq);
      yield { event: decoded.event, body, streamSeq: msg.seq };
      if (msg.seq >= last.seq) break;
    }
  } finally {
    messages.stop();
    await consumer.delete().catch(() => {});
  }
}

/** The sandboxes the stream holds for a host, in byte order of their IDs. */
export async function remoteSandboxes(
  jsm: JetStreamManager,
  stream: string,
  prefix: string,
  host: string,
): Promise<string[]> {
  const info = await jsm.streams.info(stream, { subjects_filter: hostSubjects(prefix, host) });
  const ids = Object.keys(info.state.subjects ?? {}).map(sandboxOfSubject);
  return ids.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}
