import type { JetStreamManager } from '@nats-io/jetstream';
import { errStream, isStoreError, type StoreError } from '../errors.ts';
import { canonicalBody, hashBody, type JournalEvent } from '../journal/record.ts';
import { journalFile, type Roots } from '../layout/roots.ts';
import type { Logger } from '../log.ts';
import { Backoff } from './backoff.ts';
import { readCursor } from './cursor.ts';
import { CursorKeeper } from './cursor-keeper.ts';
import { remoteLast, type RemoteLast } from './remote-last.ts';
import { messageId, sandboxSubject } from './subject.ts';
import { Outbox } from './outbox.ts';
import type { AckedPublisher } from './publisher.ts';
import { SIG_HEADER } from './trust.ts';
import { followJournal } from '../audit/follow.ts';

export interface ShipContext {
  roots: Roots;
  publisher: AckedPublisher;
  jsm: JetStreamManager;
  stream: string;
  prefix: string;
  host: string;
  log: Logger;
  signal: AbortSignal;
  pollMs: number;
  onShipped?: ((sandbox: string, seq: number) => void) | undefined;
  /** the `Vcstore-Sig` header value for a body; unsigned messages without it (the bench's baseline) */
  sign?: ((body: Uint8Array) => Promise<string>) | undefined;
}

export interface SandboxLag {
  sandbox: string;
  /** the last whole event read from the journal */
  journalSeq: number;
  /** the last event the stream acknowledged */
  shippedSeq: number;
  lag: number;
  state: 'starting' | 'shipping' | 'retrying' | 'stopped';
  /** why shipping of this sandbox stopped, or the last failure it is retrying */
  error?: { code: string; message: string };
}

const WRONG_LAST_SEQUENCE = 10071; // JetStream's error for a failed Nats-Expected-Last-Subject-Sequence
/** Events read, checked and signed ahead of the one in flight, per sandbox. */
const READ_AHEAD = 16;

/** An event read from the journal, its body, and its signature under way. */
interface Outgoing {
  event: JournalEvent;
  body: Buffer;
  sig: Promise<string> | undefined;
}

/**
 * Ships one sandbox's journal, one message in flight: each publish expects
 * the stream's last message on the subject to be the previous event, so a gap
 * or a reorder is refused by the server, and carries a message ID, so a
 * resend after a lost acknowledgement is dropped as a duplicate. The journal
 * is read, checked and signed up to READ_AHEAD events ahead, so the next
 * publish leaves as soon as the acknowledgement before it is in; an event
 * counts as shipped (status, cursor) only once acknowledged.
 */
export class SandboxShipper {
  readonly status: SandboxLag;
  private readonly subject: string;
  private shipped: RemoteLast | undefined;
  private readonly cursor: CursorKeeper;

  constructor(
    private readonly ctx: ShipContext,
    readonly sandbox: string,
  ) {
    this.subject = sandboxSubject(ctx.prefix, ctx.host, sandbox);
    this.cursor = new CursorKeeper(ctx.roots, sandbox, { stream: ctx.stream, host: ctx.host }, ctx.log, () => ({
      seq: this.shippedSeq,
      streamSeq: this.shipped?.streamSeq ?? 0,
    }));
    this.status = { sandbox, journalSeq: 0, shippedSeq: 0, lag: 0, state: 'starting' };
  }

  /** Runs until the signal aborts (resolves) or the sandbox cannot be shipped safely (stops it, reports, resolves). */
  async run(): Promise<void> {
    try {
      await this.start();
      const outbox = new Outbox<Outgoing>(READ_AHEAD);
      const stopReading = new AbortController();
      let failure: { err: unknown } | undefined;
      const publishing = this.publishAll(outbox).catch((err: unknown) => {
        failure = { err };
        outbox.fail(err);
        stopReading.abort();
      });
      try {
        await this.readAll(outbox, AbortSignal.any([this.ctx.signal, stopReading.signal]));
      } catch (err) {
        if (failure === undefined) throw err; // the events read before it are shipped first (finally)
      } finally {
        outbox.close();
        await publishing;
      }
      if (failure !== undefined) throw failure.err;
      await this.cursor.flush();
    } catch (err) {
      if (this.ctx.signal.aborted && !isStoreError(err)) return;
      await this.fail(err);
    }
  }

  /** Follows the journal into the outbox, each body's signature started as it is read. */
  private async readAll(outbox: Outbox<Outgoing>, signal: AbortSignal): Promise<void> {
    const file = journalFile(this.ctx.roots, this.sandbox);
    for await (const item of followJournal(file, { signal, intervalMs: this.ctx.pollMs })) {
      if (item.kind === 'idle') {
        this.setJournalSeq(item.seq);
        if (item.seq < this.shippedSeq)
          throw this.mismatch(
            `the journal ends at event ${item.seq} but the stream holds ${this.shippedSeq}: the host lost events`,
          );
        this.cursor.soon();
        continue;
      }
      const { offset: _offset, ...event } = item.event;
      this.setJournalSeq(event.seq);
      // The body the chain hashed: records are canonical, so re-encoding gives the stored bytes.
      const body = canonicalBody(event);
      const sig = event.seq > this.shippedSeq ? this.ctx.sign?.(body) : undefined;
      sig?.catch(() => {}); // awaited by the publish; an event acknowledged another way leaves it unread
      await outbox.put({ event, body, sig });
    }
  }

  /** Publishes the outbox in order, each after the previous one's acknowledgement, until it is closed and empty. */
  private async publishAll(outbox: Outbox<Outgoing>): Promise<void> {
    for (;;) {
      if (this.ctx.signal.aborted) return;
      const next = outbox.take();
      const item = next instanceof Promise ? await next : next;
      if (item === undefined) return;
      await this.ship(item);
      this.cursor.soon();
    }
  }

  private get shippedSeq(): number {
    return this.shipped?.seq ?? 0;
  }

  /** The stream's last message for the subject, checked against the cursor: neither side may have lost events. */
  private async start(): Promise<void> {
    const cursor = await readCursor(this.ctx.roots, this.sandbox);
    if (cursor && (cursor.stream !== this.ctx.stream || cursor.host !== this.ctx.host)) {
      this.cursor.foreign = true;
      throw this.mismatch(
        `it was shipped to stream ${cursor.stream} as host ${cursor.host}, not ${this.ctx.stream} as ${this.ctx.host}`,
      );
    }
    if (cursor?.error)
      this.ctx.log.warn({ sandbox: this.sandbox, error: cursor.error }, 'retrying a sandbox that was stopped');
    this.shipped = await this.retrying(() => remoteLast(this.ctx.jsm, this.ctx.stream, this.subject));
    if (cursor && cursor.seq > this.shippedSeq) {
      throw this.mismatch(
        `the stream holds events up to ${this.shippedSeq} but ${cursor.seq} were acknowledged: the stream lost events`,
      );
    }
    this.status.shippedSeq = this.shippedSeq;
    this.status.state = 'shipping';
  }

  private async ship({ event, body, sig }: Outgoing): Promise<void> {
    if (event.seq < this.shippedSeq) return;
    if (event.seq === this.shippedSeq) {
      // Only the stream's last message at start is compared: later ones are the bodies this process sent.
      if (this.shipped?.hash !== undefined && hashBody(body) !== this.shipped.hash)
        throw this.mismatch(`event ${event.seq} in the stream differs from the journal's`);
      return;
    }
    const msgID = messageId(this.ctx.host, this.sandbox, event.seq);
    const extra: [string, string] | undefined = sig === undefined ? undefined : [SIG_HEADER, await sig];
    let backoff: Backoff | undefined;
    for (;;) {
      // stopping: the abort's reason (an AbortError, not a StoreError) ends the run quietly
      this.ctx.signal.throwIfAborted();
      try {
        const ack = await this.ctx.publisher.publish({
          subject: this.subject,
          body,
          msgID,
          lastSubjectSeq: this.shipped?.streamSeq ?? 0,
          extra,
        });
        // A duplicate answer says a message with this ID is stored, not that it is this event: anyone who
        // may publish on the stream could have sent the ID first. It counts only if the stored bytes are ours.
        if (ack.duplicate) await this.checkDuplicate(event.seq, body, ack.seq);
        this.acknowledged({ seq: event.seq, streamSeq: ack.seq });
        return;
      } catch (err) {
        if (this.ctx.signal.aborted || isStoreError(err)) throw err;
        this.retry(err);
        if ((err as { code?: unknown }).code !== WRONG_LAST_SEQUENCE)
          await (backoff ??= new Backoff()).wait(this.ctx.signal);
        // The publish may have landed before its acknowledgement was lost: ask the stream where it is.
        const last = await this.retrying(() => remoteLast(this.ctx.jsm, this.ctx.stream, this.subject));
        if (last?.seq === event.seq && last.hash === hashBody(body)) return this.acknowledged(last);
        if ((last?.seq ?? 0) !== event.seq - 1) {
          throw this.mismatch(
            `the stream's last event is ${last?.seq ?? 0} while event ${event.seq} was being shipped`,
          );
        }
        this.shipped = last;
      }
    }
  }

  /** Throws ESTREAM unless stream message `streamSeq` is this sandbox's subject with exactly `body`. */
  private async checkDuplicate(seq: number, body: Buffer, streamSeq: number): Promise<void> {
    const stored = await this.retrying(() => this.ctx.jsm.streams.getMessage(this.ctx.stream, { seq: streamSeq }));
    const why =
      stored === null
        ? 'is gone'
        : stored.subject !== this.subject
          ? `is on subject ${stored.subject}`
          : hashBody(stored.data) !== hashBody(body)
            ? `holds other bytes (SHA-256 ${hashBody(stored.data).slice(0, 16)}…, the journal's ${hashBody(body).slice(0, 16)}…)`
            : undefined;
    if (why === undefined) return;
    throw this.mismatch(
      `event ${seq} was answered "duplicate" of stream message ${streamSeq}, which ${why}: ` +
        `someone else published message ID ${messageId(this.ctx.host, this.sandbox, seq)}; not shipped further`,
    );
  }

  private acknowledged(last: RemoteLast): void {
    this.shipped = last;
    this.status.shippedSeq = last.seq;
    this.status.lag = Math.max(0, this.status.journalSeq - last.seq);
    this.status.state = 'shipping';
    delete this.status.error;
    this.ctx.onShipped?.(this.sandbox, last.seq);
  }

  /** Retries a stream request until it answers (the server may be down for a while). */
  private async retrying<T>(request: () => Promise<T>): Promise<T> {
    const backoff = new Backoff();
    for (;;) {
      try {
        const value = await request();
        this.status.state = 'shipping';
        return value;
      } catch (err) {
        if (isStoreError(err) || this.ctx.signal.aborted) throw err;
        this.retry(err);
        await backoff.wait(this.ctx.signal);
      }
    }
  }

  private retry(err: unknown): void {
    const message = (err as Error)?.message ?? String(err);
    if (this.status.state !== 'retrying')
      this.ctx.log.warn({ sandbox: this.sandbox, err: message }, 'stream unavailable, retrying');
    this.status.state = 'retrying';
    this.status.error = { code: 'EREMOTE', message };
  }

  private setJournalSeq(seq: number): void {
    this.status.journalSeq = Math.max(this.status.journalSeq, seq);
    this.status.lag = Math.max(0, this.status.journalSeq - this.shippedSeq);
  }

  private mismatch(why: string): StoreError {
    return errStream(`sandbox ${this.sandbox}: ${why}`);
  }

  private async fail(err: unknown): Promise<void> {
    const error = isStoreError(err)
      ? { code: err.code, message: err.message }
      : { code: 'EIO', message: String((err as Error)?.message ?? err) };
    this.status.state = 'stopped';
    this.status.error = error;
    this.ctx.log.error({ sandbox: this.sandbox, ...error }, 'sandbox not shipped any further');
    await this.cursor
      .flush(error)
      .catch((e) => this.ctx.log.error({ sandbox: this.sandbox, err: e }, 'cannot save ship cursor'));
  }
}
