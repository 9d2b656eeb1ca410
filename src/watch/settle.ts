/**
 * Waits for a path to go quiet: the legacy writer truncates, then writes,
 * with no fsync, so a file is read only once no event has touched it for
 * `quietMs`. A path still changing is read at the latest after `maxWaitMs`,
 * so a file rewritten without pause is still observed.
 */
export class Settler {
  private readonly timers = new Map<string, { timer: NodeJS.Timeout; since: number }>();

  constructor(
    private readonly quietMs: number,
    private readonly maxWaitMs: number,
    private readonly settled: (path: string) => void,
  ) {}

  touch(path: string): void {
    const now = Date.now();
    const old = this.timers.get(path);
    if (old) clearTimeout(old.timer);
    const since = old?.since ?? now;
    const wait = Math.max(0, Math.min(this.quietMs, since + this.maxWaitMs - now));
    const timer = setTimeout(() => {
      this.timers.delete(path);
      this.settled(path);
    }, wait);
    this.timers.set(path, { timer, since });
  }

  get waiting(): number {
    return this.timers.size;
  }

  close(): void {
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}
