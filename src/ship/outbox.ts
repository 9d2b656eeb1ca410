/**
 * A bounded queue between a sandbox's journal reader and its publisher: the
 * reader waits while `limit` items are queued, the publisher while none is.
 * `take` returns an item without an await when one is queued, so the next
 * publish goes out in the same turn as the acknowledgement before it.
 */
export class Outbox<T> {
  readonly #items: T[] = [];
  #closed = false;
  #failure: unknown;
  #failed = false;
  #wakeTaker: (() => void) | undefined;
  #wakePutter: (() => void) | undefined;

  constructor(private readonly limit: number) {}

  get size(): number {
    return this.#items.length;
  }

  /** Queues `item`, waiting for room; throws what the taker failed with. */
  async put(item: T): Promise<void> {
    while (!this.#failed && this.size >= this.limit) await new Promise<void>((r) => (this.#wakePutter = r));
    if (this.#failed) throw this.#failure;
    this.#items.push(item);
    this.#wake('taker');
  }

  /** The next item, or undefined once closed and empty. */
  take(): T | undefined | Promise<T | undefined> {
    if (this.#items.length > 0) {
      const item = this.#items.shift() as T; // a short queue: `limit` items at most
      this.#wake('putter');
      return item;
    }
    if (this.#closed) return undefined;
    return new Promise<void>((r) => (this.#wakeTaker = r)).then(() => this.take());
  }

  /** No more items: the taker ends once the queue is empty. */
  close(): void {
    this.#closed = true;
    this.#wake('taker');
  }

  /** The taker stopped with `err`: the putter gets it. */
  fail(err: unknown): void {
    this.#failed = true;
    this.#failure = err;
    this.#wake('putter');
  }

  #wake(who: 'taker' | 'putter'): void {
    const wake = who === 'taker' ? this.#wakeTaker : this.#wakePutter;
    if (who === 'taker') this.#wakeTaker = undefined;
    else this.#wakePutter = undefined;
    wake?.();
  }
}
