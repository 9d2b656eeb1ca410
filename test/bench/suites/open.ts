import { access, readFile, rm, writeFile } from 'node:fs/promises';
import { checkpointFile } from '../../../src/recovery/checkpoint.ts';
import { Store } from '../../../src/store/store.ts';
import type { Ctx, Suite } from '../context.ts';
import type { Dataset } from '../dataset.ts';
import { interleaveTimes, type Timed } from '../measure.ts';
import { alone, compare, type Row } from '../report.ts';
import { readLegacyTree } from './legacy.ts';

/** Time to open: a new Store, then its first answer about the sandbox (which opens and checks the journal). */
function openStore(ds: Dataset): Timed {
  let store: Store | undefined;
  return {
    timed: async () => {
      store = new Store({ roots: ds.roots });
      await store.seq(ds.sandbox);
    },
    after: async () => void (await store?.close()),
  };
}

const exists = (file: string) =>
  access(file).then(
    () => true,
    () => false,
  );

async function openRows(ctx: Ctx, events: number): Promise<Row[]> {
  const ds = await ctx.dataset(events);
  const ckpt = checkpointFile(ds.journal);
  // The dataset ends with a checkpoint file at its last checkpoint event (none under 1000 events).
  const saved = await readFile(ckpt).catch(() => undefined);
  const k = `${events.toLocaleString('en-US')} events`;
  const legacy = `read legacy files alone, ${k}`;
  const plain = `vcstore open, ${k}, no checkpoint`;
  const fromCkpt = `vcstore open, ${k}, from checkpoint`;
  const readLegacy: Timed = { timed: () => readLegacyTree(ds.folders) };
  // Closing a store may write a checkpoint: take it away before each open that must not have one.
  const noCkpt: Timed = { ...openStore(ds), before: () => rm(ckpt, { force: true }) };
  const withCkpt: Timed = {
    ...openStore(ds),
    before: async () => {
      if (saved && !(await exists(ckpt))) await writeFile(ckpt, saved);
    },
  };
  // The cheap calls take turns many times. A full read of a long journal takes seconds and is
  // hundreds of times slower than its baseline, so it is timed after them, fewer times.
  const t = {
    ...(await interleaveTimes({ [legacy]: readLegacy, [fromCkpt]: withCkpt }, ctx.sizes.cheapRepeats)),
    ...(await interleaveTimes({ [plain]: noCkpt }, ctx.sizes.openRepeats(events))),
  };
  const ms = (name: string) => (t[name] ?? Number.NaN) * 1000;
  const target = events >= 1_000_000 ? ({ op: '<=', ratio: 3 } as const) : undefined;
  const note = (name: string) => `${Math.round(events / (t[name] ?? Number.NaN)).toLocaleString('en-US')} events/s`;
  return [
    alone(
      'open',
      legacy,
      ms(legacy),
      'ms',
      'every file of the sandbox read and parsed: what the original had instead of a history',
    ),
    compare('open', plain, ms(plain), 'ms', legacy, ms(legacy), undefined, note(plain)),
    compare('open', fromCkpt, ms(fromCkpt), 'ms', legacy, ms(legacy), target),
  ];
}

/** Opening a sandbox with a long history, with and without a checkpoint, against reading its legacy files. */
export const openSuite: Suite = {
  name: 'open',
  about:
    'opening a sandbox of 10k, 100k and 1M events, with and without a checkpoint, against reading the legacy files alone',
  async run(ctx) {
    const rows: Row[] = [];
    for (const events of ctx.sizes.histories) rows.push(...(await openRows(ctx, events)));
    return rows;
  },
};
