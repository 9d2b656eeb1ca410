import type { Roots } from '../layout/roots.ts';
import type { Logger } from '../log.ts';
import { writeCursor, type Cursor } from './cursor.ts';

const CURSOR_EVERY_MS = 1000;

/**
 * A sandbox's cursor, written after acknowledgements and off the publish
 * path: at most every second while busy, one write at a time, each atomic and
 * synced (writeCursor). The stream stays the truth; the cursor only lags it.
 */
export class CursorKeeper {
  /** the cursor names another stream or host: it is reported, never overwritten */
  foreign = false;
  private savedSeq = -1;
  private savedAt = 0;
  private saving: Promise<void> | undefined;

  constructor(
    private readonly roots: Roots,
    private readonly sandbox: string,
    private readonly names: { stream: string; host: string },
    private readonly log: Logger,
    /** the last acknowledged event and its stream sequence */
    private readonly acked: () => { seq: number; streamSeq: number },
  ) {}

  /** Starts a write when one is due (a second since the last) and none is under way; never waited for. */
  soon(): void {
    if (this.saving !== undefined || this.foreign || this.acked().seq === this.savedSeq) return;
    if (Date.now() - this.savedAt < CURSOR_EVERY_MS) return;
    this.saving = this.save().finally(() => (this.saving = undefined));
  }

  /** The cursor as it stands (with `error`, why the sandbox stopped), after any write under way. */
  async flush(error?: Cursor['error']): Promise<void> {
    await this.saving;
    await this.save(error);
  }

  private async save(error?: Cursor['error']): Promise<void> {
    const { seq, streamSeq } = this.acked();
    if (this.foreign || (!error && seq === this.savedSeq)) return;
    const cursor: Cursor = { ...this.names, seq, streamSeq };
    if (error) cursor.error = error;
    this.savedAt = Date.now();
    try {
      await writeCursor(this.roots, this.sandbox, cursor);
    } catch (err) {
      // A full disk must not stop shipping: the stream is the truth, and the cursor is tried again a second later.
      if (error) throw err;
      this.log.warn({ sandbox: this.sandbox, err }, 'cannot save ship cursor');
      return;
    }
    this.savedSeq = seq; // acknowledgements may have come in while it was written
  }
}
