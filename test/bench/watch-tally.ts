import type { JournalEvent } from '../../src/journal/record.ts';
import type { WriterDone } from './watch-process.ts';

/** One observation: when its line arrived, and the write it holds (none when torn). */
interface Seen {
  at: number;
  torn: boolean;
  /** the event's own time: taken once the file was read, before the append and its sync (ms resolution) */
  read: number;
  write?: { n: number; stamp: number };
}

/** The observe events of one writer's sandboxes, from the moment it is told to go. */
export class Tally {
  readonly seen: Seen[] = [];
  /** each path's last observed content, and when it was seen */
  readonly latest = new Map<string, { payload: string | undefined; at: number }>();
  active = false;

  add(event: JournalEvent, at: number): void {
    if (!this.active || event.op !== 'observe') return;
    const torn = event.parsed === false;
    const seen: Seen = { at, torn, read: Date.parse(event.time) };
    if (!torn && event.payload !== undefined) {
      const value = JSON.parse(event.payload) as { n?: unknown; at?: unknown };
      if (typeof value.n === 'number' && typeof value.at === 'number') seen.write = { n: value.n, stamp: value.at };
    }
    this.seen.push(seen);
    this.latest.set(event.path, { payload: event.payload, at });
  }

  /** When the last of the final contents was recorded; undefined while one is still missing. */
  finalRecordedAt(last: Record<string, string>): number | undefined {
    let at = 0;
    for (const [path, content] of Object.entries(last)) {
      const latest = this.latest.get(path);
      if (latest?.payload !== content) return undefined;
      at = Math.max(at, latest.at);
    }
    return at;
  }
}

export interface RunFigures {
  writes: number;
  seconds: number;
  /** observe events durable while the writer ran, per second */
  observedPerSec: number;
  /** distinct writes recorded as values */
  recorded: number;
  torn: number;
  /** write → durable event, ms, sorted */
  lags: number[];
  /** write → read (the event's time), ms, sorted: the part of the lag before the append */
  readDelays: number[];
  /** how long each missed write stayed in place before the next write to its path, ms, sorted */
  missedLifetimes: number[];
  /** of the writes that stayed in place at least `longMs`: how many, and how many were recorded */
  long: { writes: number; recorded: number };
  /** from the writer's last write to the recording of the last final content; null if it never came */
  finalMs: number | null;
  /** CPU seconds the watcher used during the run */
  watcherCpu: number | null;
}

const until = async (ok: () => boolean, ms: number): Promise<boolean> => {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return true;
};

/**
 * Lets the writer run, waits until every file's final content is recorded
 * (60 s at most), and counts. The writer rewrites its paths in turn, so the
 * write after write `i` on the same path is write `i + paths`.
 */
export async function measureRun(
  write: () => Promise<WriterDone>,
  paths: number,
  tally: Tally,
  opts: { longMs: number; cpu: () => number | null },
): Promise<RunFigures> {
  const cpu0 = opts.cpu();
  tally.active = true;
  const done = await write();
  await until(() => tally.finalRecordedAt(done.last) !== undefined, 60_000);
  tally.active = false;
  const cpu1 = opts.cpu();
  const final = tally.finalRecordedAt(done.last);
  const seconds = (done.ended - done.began) / 1000;
  const recorded = new Set(tally.seen.flatMap((s) => (s.write ? [s.write.n] : [])));
  const missedLifetimes: number[] = [];
  const long = { writes: 0, recorded: 0 };
  for (let i = 0; i + paths < done.stamps.length; i++) {
    const lifetime = (done.stamps[i + paths] ?? 0) - (done.stamps[i] ?? 0);
    const seen = recorded.has(done.first + i);
    if (!seen) missedLifetimes.push(lifetime);
    if (lifetime >= opts.longMs) {
      long.writes++;
      if (seen) long.recorded++;
    }
  }
  return {
    writes: done.writes,
    seconds,
    observedPerSec: tally.seen.filter((s) => s.at <= done.ended).length / seconds,
    recorded: recorded.size,
    torn: tally.seen.filter((s) => s.torn).length,
    lags: sorted(tally.seen.flatMap((s) => (s.write ? [s.at - s.write.stamp] : []))),
    readDelays: sorted(tally.seen.flatMap((s) => (s.write ? [s.read - s.write.stamp] : []))),
    missedLifetimes: sorted(missedLifetimes),
    long,
    finalMs: final === undefined ? null : final - done.ended,
    watcherCpu: cpu0 === null || cpu1 === null ? null : cpu1 - cpu0,
  };
}

const sorted = (xs: number[]) => xs.sort((a, b) => a - b);

/** The p-th percentile of sorted values, null when there are none. */
export const percentile = (sorted: number[], p: number): number | null =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? null;
