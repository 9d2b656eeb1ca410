import { mkdtemp } from 'node:fs/promises';
import path from 'node:path';
import { buildDataset, type Dataset } from './dataset.ts';
import type { Layout, Layouts } from './layout.ts';
import type { Plan } from './measure.ts';
import type { Row } from './report.ts';

export type Mode = 'full' | 'quick' | 'smoke';

/** How much of everything a mode measures; full stays within ~10 minutes on a 2-core machine with a slow fsync. */
export interface Sizes {
  stores: Plan;
  processes: Plan;
  fetch: Plan;
  /** journal lengths for the open figures; the largest is also replayed */
  histories: number[];
  /** repeats of an open without a checkpoint, by history length */
  openRepeats: (events: number) => number;
  /** repeats of the cheap calls: an open from a checkpoint, reading the legacy files */
  cheapRepeats: number;
  replayRepeats: number;
}

const SIZES: Record<Mode, Sizes> = {
  full: {
    // Many short rounds: the disk and the machine drift, and a round is where figures take turns.
    stores: { rounds: 15, opsPerRound: 160, warmup: 64 },
    processes: { rounds: 9, opsPerRound: 200, warmup: 40 },
    fetch: { rounds: 21, opsPerRound: 1000, warmup: 2000 },
    histories: [10_000, 100_000, 1_000_000],
    openRepeats: (n) => (n >= 1_000_000 ? 3 : 5),
    cheapRepeats: 21,
    replayRepeats: 3,
  },
  quick: {
    stores: { rounds: 3, opsPerRound: 128, warmup: 32 },
    processes: { rounds: 3, opsPerRound: 160, warmup: 16 },
    fetch: { rounds: 7, opsPerRound: 500, warmup: 500 },
    histories: [10_000, 100_000],
    openRepeats: () => 3,
    cheapRepeats: 7,
    replayRepeats: 3,
  },
  // Only proves the harness still runs end to end: the numbers mean nothing.
  smoke: {
    stores: { rounds: 1, opsPerRound: 16, warmup: 0 },
    processes: { rounds: 1, opsPerRound: 8, warmup: 0 },
    fetch: { rounds: 1, opsPerRound: 50, warmup: 0 },
    histories: [300],
    openRepeats: () => 1,
    cheapRepeats: 1,
    replayRepeats: 1,
  },
};

export interface Ctx {
  mode: Mode;
  sizes: Sizes;
  /** a temp folder for this run, removed at the end */
  dir: string;
  /** bytes of one store event on disk, frame included */
  frameSize: number;
  /** a fresh folder inside `dir` */
  folder(tag: string): Promise<string>;
  /** a history of `events` events, built once per run and shared by the suites */
  dataset(events: number): Promise<Dataset>;
  /** the layouts whose store figures this run measures (`--layout`): the host's, all on ext4, or both */
  layouts: Layout[];
  /** layouts asked for that cannot be had on this machine, with the reason: each suite shows it in a row */
  missingLayouts: Layouts['missing'];
}

export function makeCtx(
  mode: Mode,
  dir: string,
  frameSize: number,
  layouts: Pick<Layouts, 'available' | 'missing'>,
): Ctx {
  const built = new Map<number, Promise<Dataset>>();
  const folder = (tag: string) => mkdtemp(path.join(dir, `${tag}-`));
  return {
    mode,
    sizes: SIZES[mode],
    dir,
    frameSize,
    folder,
    layouts: layouts.available,
    missingLayouts: layouts.missing,
    dataset(events) {
      if (!built.has(events))
        built.set(
          events,
          folder(`history-${events}`).then((d) => buildDataset(d, events)),
        );
      return built.get(events)!;
    },
  };
}

export interface Suite {
  name: string;
  /** one line for --help */
  about: string;
  run(ctx: Ctx): Promise<Row[]>;
}
