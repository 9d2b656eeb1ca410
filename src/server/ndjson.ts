import { once } from 'node:events';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errNoEntry } from '../errors.ts';
import { eventHash, type JournalEvent } from '../journal/record.ts';
import { asApiError } from './http-errors.ts';

/** One line of an event stream: the event, its chain hash, and the cursor that resumes right after it. */
export interface StreamLine {
  cursor: string;
  hash: string;
  event: JournalEvent;
}

export interface Followers {
  /** streams end when this aborts (the daemon is shutting down) */
  signal: AbortSignal;
  opened(): void;
  closed(): void;
}

/**
 * Streams `events` as NDJSON until they end, the client goes away or the
 * daemon stops. A failure after the first byte cannot change the status:
 * it becomes a last line `{"error":{code,message}}`.
 */
export async function sendNdjson(
  request: FastifyRequest,
  reply: FastifyReply,
  followers: Followers,
  lines: (signal: AbortSignal) => AsyncGenerator<StreamLine>,
): Promise<void> {
  const stop = new AbortController();
  const abort = () => stop.abort();
  followers.signal.addEventListener('abort', abort, { once: true });
  request.raw.socket.once('close', abort);
  reply.hijack();
  const out = reply.raw;
  out.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' });
  // A follower with nothing to catch up on still learns at once that the stream is open.
  out.flushHeaders();
  followers.opened();
  try {
    for await (const line of lines(stop.signal)) {
      if (!out.write(`${JSON.stringify(line)}\n`)) await once(out, 'drain', { signal: stop.signal });
    }
  } catch (err) {
    if (!stop.signal.aborted) {
      const { code, message } = asApiError(err);
      out.write(`${JSON.stringify({ error: { code, message } })}\n`);
    }
  } finally {
    followers.closed();
    followers.signal.removeEventListener('abort', abort);
    request.raw.socket.off('close', abort);
    out.end();
  }
}

export const lineOf = (cursor: string, event: JournalEvent): StreamLine => ({ cursor, hash: eventHash(event), event });

export const noJournal = (sandbox: string, file: string) =>
  errNoEntry(`open ${file}: no journal for sandbox ${sandbox}`, { file });
