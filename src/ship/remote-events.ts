import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import { errCorrupt, errStream } from '../errors.ts';
import { Chain } from '../journal/chain.ts';
import { decodeBody, type JournalEvent } from '../journal/record.ts';
import { hostSubjects, sandboxOfSubject, sandboxSubject } from './subject.ts';
import { SIG_HEADER, type Trust } from './trust.ts';

export interface RemoteSandbox {
  js: JetStreamClient;
  jsm: JetStreamManager;
  stream: string;
  prefix: string;
  host: string;
  sandbox: string;
  /** when given, every message must be signed by a key the trust file gives for `host` (EUNTRUSTED) */
  trust?: Trust | undefined;
}

/** How long a history may go without a message before its last event: then the consumer is stuck, not slow. */
const IDLE_MS = 30_000;

/**
 * A sandbox's record bodies as the stream holds them, oldest first, each
 * checked like a journal record (schema, sequence, hash chain) before it is
 * yielded: a gap, a duplicate or a changed message throws ECHAIN. The history
 * ends at the sandbox's last event as the stream's leader holds it, compared
 * by its journal sequence and bytes: the consumer may sit on a replica that
 * is still catching up (its pending count would end the history early) or
 * that numbers the stream differently after a crash (a stream sequence would
 * never be reached). A consumer that delivers nothing for `idleMs` before the
 * last event, or ends before it, throws ESTREAM instead of waiting forever.
 */
export async function* remoteBodies(
  src: RemoteSandbox,
  opts: { idleMs?: number } = {},
): AsyncGenerator<{ event: JournalEvent; body: Buffer; streamSeq: number }> {
  const subject = sandboxSubject(src.prefix, src.host, src.sandbox);
  const label = `${src.stream}:${subject}`;
  const last = await src.jsm.streams.getMessage(src.stream, { last_by_subj: subject });
  if (last === null) {
    throw errStream(`stream ${src.stream} holds nothing for host ${src.host}, sandbox ${src.sandbox} (${subject})`);
  }
  const lastBody = Buffer.from(last.data);
  const lastDecoded = decodeBody(lastBody);
  if (!('event' in lastDecoded))
    throw errCorrupt(`${label} message ${last.seq}: ${lastDecoded.why}`, { offset: last.seq });
  const lastSeq = lastDecoded.event.seq;
  const chain = new Chain();
  const consumer = await src.js.consumers.get(src.stream, { filter_subjects: subject });
  const messages = await consumer.consume({ max_messages: 1000 });
  const idleMs = opts.idleMs ?? IDLE_MS;
  const stuck = (after: string) =>
    errStream(`${label}: ${after} before its last event (${lastSeq}, stream message ${last.seq}); try again`);
  try {
    const it = messages[Symbol.asyncIterator]();
    for (let seen = 0; ;) {
      const next = await within(it.next(), idleMs, () => stuck(`no message for ${idleMs} ms after event ${seen}`));
      if (next.done) throw stuck(`the consumer ended after event ${seen}`);
      const msg = next.value;
      const body = Buffer.from(msg.data);
      src.trust?.check(src.host, body, msg.headers?.get(SIG_HEADER), { label, streamSeq: msg.seq });
      const decoded = decodeBody(body);
      if (!('event' in decoded)) throw errCorrupt(`${label} message ${msg.seq}: ${decoded.why}`, { offset: msg.seq });
      if (decoded.event.sandbox !== src.sandbox)
        throw errStream(`${label} message ${msg.seq} is an event of sandbox ${decoded.event.sandbox}`);
      chain.accept(decoded.event, body, label, msg.seq);
      seen = decoded.event.seq;
      if (seen < lastSeq) {
        yield { event: decoded.event, body, streamSeq: msg.seq };
        continue;
      }
      if (!body.equals(lastBody)) throw errStream(`${label}: event ${seen} differs from the leader's last message`);
      yield { event: decoded.event, body, streamSeq: last.seq }; // the leader's numbering, which a cursor keeps
      return;
    }
  } finally {
    messages.stop();
    await consumer.delete().catch(() => {});
  }
}

/** `promise`, or the error `late` makes if it has not settled within `ms`. */
async function within<T>(promise: Promise<T>, ms: number, late: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  promise.catch(() => undefined); // if the deadline wins, a later failure of the loser is nobody's
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(late()), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
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
