/**
 * Timing helpers. The disk's fsync latency drifts by tens of percent over a
 * minute, so every figure of a comparison is measured in the same rounds,
 * taking turns, and the median round is kept: a slow patch of the disk then
 * hits all of them instead of whichever happened to run during it.
 */

/** Something that can do `n` operations of one kind; setup and teardown are not timed. */
export interface Workload {
  name: string;
  setup?(): Promise<void>;
  run(n: number): Promise<void>;
  teardown?(): Promise<void>;
}

export interface Plan {
  rounds: number;
  opsPerRound: number;
  /** Untimed operations before the first round: JIT, page cache, file creation. */
  warmup: number;
}

export interface Rate {
  /** median over rounds, operations per second */
  opsPerSec: number;
  /** every round's rate, in the order measured */
  samples: number[];
}

/** The median; NaN for no values. */
export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const at = (i: number) => s[i] ?? Number.NaN;
  return s.length % 2 ? at(mid) : (at(mid - 1) + at(mid)) / 2;
};

/** Wall-clock seconds of one call. */
export async function seconds(fn: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/**
 * Runs the workloads in turns, round after round, rotating who goes first so
 * none is always measured right after the same neighbour.
 */
export async function interleave(workloads: Workload[], plan: Plan): Promise<Map<string, Rate>> {
  const runs = workloads.map((w) => ({ w, samples: [] as number[] }));
  try {
    for (const w of workloads) await w.setup?.();
    for (const w of workloads) if (plan.warmup > 0) await w.run(plan.warmup);
    for (let r = 0; r < plan.rounds; r++) {
      for (const { w, samples } of rotate(runs, r)) {
        const s = await seconds(() => w.run(plan.opsPerRound));
        samples.push(plan.opsPerRound / s);
      }
    }
  } finally {
    for (const w of workloads) await w.teardown?.();
  }
  return new Map(runs.map(({ w, samples }) => [w.name, { opsPerSec: median(samples), samples }]));
}

/** The list starting at its `by`-th item (modulo its length), wrapping round. */
const rotate = <T>(xs: T[], by: number): T[] => {
  const k = xs.length === 0 ? 0 : by % xs.length;
  return [...xs.slice(k), ...xs.slice(0, k)];
};

/** One timed call, with untimed steps around it (making or removing a file the call must or must not find). */
export interface Timed {
  before?(): Promise<void>;
  timed(): Promise<unknown>;
  after?(): Promise<void>;
}

/** Median seconds of `repeats` timed calls of each, taking turns. */
export async function interleaveTimes(calls: Record<string, Timed>, repeats: number): Promise<Record<string, number>> {
  const runs = Object.entries(calls).map(([name, call]) => ({ name, call, times: [] as number[] }));
  for (let r = 0; r < repeats; r++) {
    for (const { call, times } of rotate(runs, r)) {
      await call.before?.();
      times.push(await seconds(() => call.timed()));
      await call.after?.();
    }
  }
  return Object.fromEntries(runs.map(({ name, times }) => [name, median(times)]));
}

/** `n` operations split over `writers` async loops that run side by side; `op(w, i)` is the i-th op of loop w. */
export async function concurrently(
  n: number,
  writers: number,
  op: (w: number, i: number) => Promise<unknown>,
): Promise<void> {
  const loops: Promise<void>[] = [];
  for (let w = 0; w < writers; w++) {
    const count = Math.floor(n / writers) + (w < n % writers ? 1 : 0);
    loops.push(
      (async () => {
        for (let i = 0; i < count; i++) await op(w, i);
      })(),
    );
  }
  await Promise.all(loops);
}
