import { setTimeout as sleep } from 'node:timers/promises';

/** Doubling waits from `min` to `max` ms, with jitter so a fleet does not retry in step. */
export class Backoff {
  private next: number;
  constructor(
    private readonly min = 100,
    private readonly max = 5000,
  ) {
    this.next = min;
  }

  async wait(signal: AbortSignal): Promise<void> {
    const ms = this.next * (0.5 + Math.random() / 2);
    this.next = Math.min(this.max, this.next * 2);
    await sleep(ms, undefined, { signal }).catch(() => {});
  }

  reset(): void {
    this.next = this.min;
  }
}
