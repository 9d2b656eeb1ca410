import { fdatasyncSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { errChain, errConflict, errIO, errPayload, errUsage, osError, type StoreError } from '../../errors.ts';
import { AtPath } from './at-path.ts';
import { failpoint } from '../../failpoints.ts';
import { silentLogger, type Logger } from '../../log.ts';
import { bootId } from '../../journal/boot-id.ts';
import { Chain } from '../../journal/chain.ts';
import { decodeFrame } from '../../journal/decoder.ts';
import { encodeFrame, HEADER_SIZE, MAX_BODY } from '../../journal/encoder.ts';
import { closeOnThrow, ensureDir, openForAppend, writeAll } from '../../journal/fsutil.ts';
import type { RecordMark, ResumePoint } from '../../journal/mark.ts';
import { encodeEvent, hashBody, type EventInput, type JournalEvent } from '../../journal/record.ts';
import { truncateTornTail } from '../../journal/repair.ts';
import { PrefixCheck } from '../../journal/prefix.ts';
import { scanEach } from '../../journal/scan.ts';

/** Told of each record read, with its offset, so a caller that cannot apply one can report it as damage there. */
type OnEvent = (e: JournalEvent, offset: number) => void;

/**
 * How an append waits for its fdatasync. By default through the thread pool,
 * so that the process runs JavaScript (the next group, other sandboxes) while
 * the disk works. `inline`: a synchronous call, for a lone write with nothing
 * else to run meanwhile; it saves the pool's round trip, as SQLite's
 * synchronous I/O does. The write is durable before the call returns either way.
 */
export interface SyncHow {
  inline?: boolean;
}

/**
 * The one appender of a journal file. Internal: only the sandbox's writer
 * session (src/store/session/) opens one, holding the sandbox's lock.
 */
export class JournalWriter {
  readonly file: string;
  readonly #fh: FileHandle;
  readonly #log: Logger;
  readonly #atPath: AtPath; // whether the open file is still the journal at its path
  readonly #chain = new Chain();
  #end = 0; // byte offset just past the last whole record
  #lastStart = 0; // byte offset of the last whole record
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;
  #broken: StoreError | undefined;
  #prefix: PrefixCheck | undefined; // the check of the records before the checkpoint, until it has passed

  private constructor(file: string, fh: FileHandle, log: Logger) {
    this.file = file;
    this.#fh = fh;
    this.#log = log;
    this.#atPath = new AtPath(file, fh.fd);
  }

  /**
   * Opens (creating if needed), scans every record, repairs a torn tail, throws
   * on corruption. With `resume` it first checks that the record it names is
   * really there (its bytes, seq and hash) and scans only what follows it,
   * while the records before it are checked beside the writer's work: no
   * append is written before that check has passed (`prefixChecked`);
   * otherwise it scans from the start and `resumed` is false.
   */
  static async open(
    file: string,
    opts: { log?: Logger; onEvent?: OnEvent; resume?: ResumePoint | undefined } = {},
  ): Promise<JournalWriter> {
    let fh: FileHandle;
    try {
      await ensureDir(dirname(file));
      fh = await openForAppend(file);
    } catch (err) {
      throw osError('open', file, err);
    }
    const writer = new JournalWriter(file, fh, opts.log ?? silentLogger);
    await closeOnThrow(fh, async () => {
      try {
        writer.resumed = opts.resume !== undefined && (await writer.#resumeAt(opts.resume));
        await writer.#readFrom(writer.#end, opts.onEvent);
      } catch (err) {
        await writer.#prefix?.stop(); // its reads end before the file is closed
        throw err;
      }
    });
    return writer;
  }

  /** Whether open started from the `resume` mark instead of the first record. */
  resumed = false;

  /** The record at the `resume` mark, when open started there. */
  resumedAt: JournalEvent | undefined;

  get seq(): number {
    return this.#chain.seq;
  }

  get head(): string {
    return this.#chain.head;
  }

  /**
   * Resolves once every record before the checkpoint open resumed from has
   * its length and CRC checked (at once when open read from the start);
   * throws the damage found there, as every append then does.
   */
  async prefixChecked(): Promise<void> {
    if (this.#prefix === undefined) return;
    await this.#prefix.passed();
    this.#prefix = undefined;
  }

  /** Starts that check, once the opener's own work is done (an append starts it too). */
  startPrefixCheck(): void {
    void this.#prefix?.start();
  }

  /** Where the last record lies in the file, for a checkpoint to resume from. */
  get lastRecord(): RecordMark {
    return { start: this.#lastStart, end: this.#end };
  }

  async #resumeAt(mark: ResumePoint): Promise<boolean> {
    const size = mark.end - mark.start;
    if (!(mark.start >= 0 && size > HEADER_SIZE && size <= HEADER_SIZE + MAX_BODY)) return false;
    const buf = Buffer.alloc(size);
    const { bytesRead } = await this.#fh.read(buf, 0, size, mark.start).catch(() => ({ bytesRead: 0 }));
    if (bytesRead !== size) return false;
    try {
      const d = decodeFrame(buf, 0, true, mark.start, this.file);
      if (d.kind !== 'record' || d.size !== size || d.event.seq !== mark.seq || hashBody(d.body) !== mark.head)
        return false;
      if (!mark.accepts(d.event)) return false;
      this.resumedAt = d.event;
    } catch {
      return false; // a checkpoint is a cache: a mark that does not check out is ignored
    }
    // Damage before the mark is not skipped: appending to such a journal would be undone by its repair.
    // The check runs beside the writer, and every append (and the cut of a torn tail) waits for it.
    this.#prefix = new PrefixCheck(this.#fh, this.file, mark.start, this.#log);
    this.#chain.seq = mark.seq;
    this.#chain.head = mark.head;
    this.#lastStart = mark.start;
    this.#end = mark.end;
    return true;
  }

  /** Appends one event and returns it only once it is on stable storage. */
  append(input: EventInput, now: Date = new Date()): Promise<JournalEvent> {
    return this.#enqueue(async () => {
      const [event] = await this.#append([input], now);
      if (event === undefined) throw errIO(`${this.file}: an append returned no event`, { file: this.file });
      return event;
    });
  }

  /**
   * Appends several events with one write and one fdatasync (group commit),
   * returning them only once all are durable. On a failure none is kept.
   * `held` is the lock the caller holds (see `AtPath`).
   */
  appendBatch(inputs: EventInput[], now: Date = new Date(), held?: object, how: SyncHow = {}): Promise<JournalEvent[]> {
    if (inputs.length === 0) return Promise.resolve([]);
    return this.#enqueue(() => this.#append(inputs, now, held, how));
  }

  /** Reads records another process appended since we last looked. Call it under the lock, `held`. */
  catchUp(onEvent?: OnEvent, held?: object): Promise<number> {
    return this.#enqueue(() => this.#catchUp(onEvent, held));
  }

  close(): Promise<void> {
    return this.#enqueue(async () => {
      if (this.#closed) return;
      this.#closed = true;
      await this.#prefix?.stop();
      await this.#fh.close();
    });
  }

  // One operation at a time: each append depends on the seq and head the previous one left.
  #enqueue<T>(op: () => Promise<T>): Promise<T> {
    const result = this.#queue.then(op);
    this.#queue = result.catch(() => {});
    return result;
  }

  async #readFrom(start: number, onEvent?: OnEvent): Promise<number> {
    let count = 0;
    const visit = (event: JournalEvent, offset: number, end: number) => {
      this.#lastStart = offset;
      this.#end = end;
      count++;
      onEvent?.(event, offset); // its errors reach the caller as they are
      return true;
    };
    // Records read here were checked against the schema when written: CRC and chain are checked, the schema is not.
    const torn = await scanEach(this.#fh, this.file, start, this.#chain, visit, { checkSchema: false });
    if (torn) {
      await this.prefixChecked(); // a repair, like an append, is made only to a journal found whole
      await truncateTornTail(this.#fh, this.file, torn, this.#log);
    }
    return count;
  }

  async #catchUp(onEvent?: OnEvent, held?: object): Promise<number> {
    this.#assertUsable();
    const size = this.#atPath.check(this.seq, held).size;
    if (size === this.#end) return 0;
    if (size < this.#end) {
      const why = `journal shrank from ${this.#end} to ${size} bytes under this writer; reopen it`;
      throw errChain(`${this.file}: ${why}`, { file: this.file, offset: size, seq: this.seq });
    }
    return this.#readFrom(this.#end, onEvent);
  }

  async #append(inputs: EventInput[], now: Date, held?: object, how: SyncHow = {}): Promise<JournalEvent[]> {
    this.#assertUsable();
    if (this.#prefix !== undefined) await this.prefixChecked();
    const events: JournalEvent[] = [];
    const frames: Buffer[] = [];
    let head = this.#chain.head;
    let lastFrame = 0; // length of the group's last frame
    for (const input of inputs) {
      const { event, body } = encodeEvent(
        input,
        this.#filled(now, this.#chain.seq + events.length + 1, head),
        this.file,
      );
      if (body.length > MAX_BODY) {
        throw errPayload(`${this.file}: event of ${body.length} bytes exceeds ${MAX_BODY}`, {
          file: this.file,
        });
      }
      events.push(event);
      const frame = encodeFrame(body);
      frames.push(frame);
      lastFrame = frame.length;
      head = hashBody(body);
    }
    const size = this.#atPath.checkUnder(this.seq, held).size;
    if (size !== this.#end) {
      const why = `journal is ${size} bytes on disk, this writer expected ${this.#end}; call catchUp`;
      throw errConflict(`${this.file}: ${why}`, { file: this.file, seq: this.seq });
    }
    // One write and one sync for the whole group: that is what group commit saves.
    const bytes = frames.length === 1 && frames[0] !== undefined ? frames[0] : Buffer.concat(frames);
    try {
      writeAll(this.#fh, bytes);
      failpoint('journal-written');
      if (how.inline === true) fdatasyncSync(this.#fh.fd);
      else await this.#fh.datasync();
      failpoint('journal-synced');
    } catch (err) {
      await this.#rollback(err, bytes.length);
      throw osError('append', this.file, err);
    }
    this.#lastStart = this.#end + bytes.length - lastFrame;
    this.#end += bytes.length;
    this.#chain.seq += events.length;
    this.#chain.head = head;
    return events;
  }

  #filled(now: Date, seq: number, prev: string) {
    const time = Number.isNaN(now.getTime()) ? 'invalid date' : now.toISOString();
    return { seq, time, pid: process.pid, boot: bootId(), prev };
  }

  /**
   * Cuts a partly written frame back off so the next append starts at a record boundary. Only this
   * writer's own bytes are cut: a file longer than what it wrote holds another writer's records, and
   * cutting those could lose an acknowledged event, so the journal is left as it is and refused instead.
   */
  async #rollback(cause: unknown, written: number): Promise<void> {
    try {
      const { size } = await this.#fh.stat();
      if (size > this.#end + written) {
        const why = `journal grew to ${size} bytes past this writer's ${this.#end} + ${written} during a failed append`;
        this.#broken = errConflict(`${this.file}: ${why}; reopen it`, { file: this.file, seq: this.seq });
        return;
      }
      await this.#fh.truncate(this.#end);
      await this.#fh.datasync();
    } catch (err) {
      const why = `could not roll back a failed append (${String(cause)}); reopen the journal`;
      this.#broken = errIO(`${this.file}: ${why}`, { file: this.file, cause: err });
      this.#log.error({ file: this.file, offset: this.#end, err }, 'append rollback failed');
    }
  }

  #assertUsable(): void {
    if (this.#closed) throw errUsage(`${this.file}: journal writer is closed`, { file: this.file });
    if (this.#broken) throw this.#broken;
  }
}
