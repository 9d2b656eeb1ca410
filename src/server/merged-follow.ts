import { followEvents } from '../audit/follow.ts';
import { errIO } from '../errors.ts';
import { history } from '../audit/history.ts';
import type { JournalEvent } from '../journal/record.ts';
import { journaledSandboxes } from '../layout/journals.ts';
import { journalFile, type Roots } from '../layout/roots.ts';
import type { Cursor } from './cursor.ts';

export interface StreamOptions {
  signal: AbortSignal;
  follow: boolean;
  /** how often journals and the journal folder are polled while following, in ms */
  intervalMs: number;
}

/** Events buffered per stream before the readers of the journals wait for the client. */
const HIGH_WATER = 1024;

/**
 * Every sandbox's events after the cursor. Without `follow`, sandbox after
 * sandbox in ID order, then the end. With it, one read-only follower per
 * journal (a journal that appears later gets one too), merged as they come:
 * each sandbox's events stay in order, which is all the cursor needs.
 */
export async function* allEvents(roots: Roots, after: Cursor, opts: StreamOptions): AsyncGenerator<JournalEvent> {
  if (!opts.follow) {
    for (const sandbox of await journaledSandboxes(roots)) {
      yield* history(journalFile(roots, sandbox), { fromSeq: (after.get(sandbox) ?? 0) + 1 });
    }
    return;
  }
  yield* new Merge(roots, after, opts).events();
}

class Merge {
  private readonly queue: JournalEvent[] = [];
  private readonly started = new Set<string>();
  private failure: Error | undefined;
  private wake: (() => void) | undefined;
  private readonly waitingForRoom: Array<() => void> = [];

  constructor(
    private readonly roots: Roots,
    private readonly after: Cursor,
    private readonly opts: StreamOptions,
  ) {}

  async *events(): AsyncGenerator<JournalEvent> {
    // Readers waiting for room must wake too, to see the abort and close their journals.
    const stop = () => {
      this.notify();
      for (const release of this.waitingForRoom.splice(0)) release();
    };
    this.opts.signal.addEventListener('abort', stop, { once: true });
    void this.discover();
    while (!this.opts.signal.aborted) {
      if (this.failure !== undefined) throw this.failure;
      const event = this.queue.shift();
      if (event === undefined) {
        for (const release of this.waitingForRoom.splice(0)) release();
        await new Promise<void>((resolve) => (this.wake = resolve));
        continue;
      }
      yield event;
    }
  }

  private notify(): void {
    this.wake?.();
    this.wake = undefined;
  }

  /** Looks for new journals until the stream ends. */
  private async discover(): Promise<void> {
    try {
      while (!this.opts.signal.aborted) {
        for (const sandbox of await journaledSandboxes(this.roots)) {
          if (!this.started.has(sandbox)) void this.pump(sandbox);
          this.started.add(sandbox);
        }
        await abortableSleep(this.opts.intervalMs, this.opts.signal);
      }
    } catch (err) {
      this.fail(err);
    }
  }

  private async pump(sandbox: string): Promise<void> {
    const from = this.after.get(sandbox) ?? 0;
    try {
      const follow = { signal: this.opts.signal, intervalMs: this.opts.intervalMs };
      for await (const { offset: _offset, ...event } of followEvents(journalFile(this.roots, sandbox), follow)) {
        if (event.seq <= from) continue;
        this.queue.push(event);
        this.notify();
        if (this.queue.length >= HIGH_WATER) await new Promise<void>((resolve) => this.waitingForRoom.push(resolve));
      }
    } catch (err) {
      this.fail(err);
    }
  }

  private fail(err: unknown): void {
    this.failure ??= err instanceof Error ? err : errIO(String(err), { cause: err });
    this.notify();
  }
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });
}
