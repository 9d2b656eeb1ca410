import { access, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { history } from '../../../src/audit/history.ts';
import { stateAt } from '../../../src/audit/state-at.ts';
import { checkpointFile } from '../../../src/recovery/checkpoint.ts';
import { Store } from '../../../src/store/store.ts';
import type { Ctx, Suite } from '../context.ts';
import type { Dataset } from '../dataset.ts';
import { interleaveTimes, median, seconds, type Timed } from '../measure.ts';
import { alone, compare, type Row } from '../report.ts';
import { stateValue } from '../workload.ts';
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
  const putCheckpointBack = async () => {
    if (saved && !(await exists(ckpt))) await writeFile(ckpt, saved);
  };
  const withCkpt: Timed = { ...openStore(ds), before: putCheckpointBack };
  // The cheap calls take turns many times. A full read of a long journal takes seconds and is
  // hundreds of times slower than its baseline, so it is timed after them, fewer times.
  const t = {
    ...(await interleaveTimes({ [legacy]: readLegacy, [fromCkpt]: withCkpt }, ctx.sizes.cheapRepeats)),
    ...(await interleaveTimes({ [plain]: noCkpt }, ctx.sizes.openRepeats(events))),
  };
  const ms = (name: string) => (t[name] ?? Number.NaN) * 1000;
  const target = events >= 1_000_000 ? ({ op: '<=', ratio: 10 } as const) : undefined;
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
    ...(await readOnlyRows(ctx, ds, legacy, ms(legacy))),
    ...(await firstStoreRows(ctx, ds, putCheckpointBack)),
  ];
}

/** What the read-only commands read: `show --at` the last event and `log`, each the whole journal from its start. */
async function readOnlyRows(ctx: Ctx, ds: Dataset, legacy: string, legacyMs: number): Promise<Row[]> {
  const k = `${ds.events.toLocaleString('en-US')} events`;
  const show = `vcstore show --at the last event, ${k}`;
  const log = `vcstore log, ${k}`;
  const t = await interleaveTimes(
    {
      [show]: { timed: () => stateAt(ds.journal, { seq: ds.events }) },
      [log]: {
        timed: async () => {
          let n = 0;
          for await (const _ of history(ds.journal)) n++;
          if (n !== ds.events) throw new Error(`log read ${n} of ${ds.events} events`);
        },
      },
    },
    ctx.sizes.openRepeats(ds.events),
  );
  const ms = (name: string) => (t[name] ?? Number.NaN) * 1000;
  return [
    compare('open', show, ms(show), 'ms', legacy, legacyMs, undefined, 'read-only: every record from the first'),
    compare('open', log, ms(log), 'ms', legacy, legacyMs, undefined, 'read-only: every record from the first'),
  ];
}

/**
 * The first store after an open from the checkpoint (which waits for the
 * check of the records before it), against the store after it. Each round
 * puts the dataset back as it was: the journal cut to its length, the
 * checkpoint file and state.json rewritten.
 */
async function firstStoreRows(ctx: Ctx, ds: Dataset, putCheckpointBack: () => Promise<void>): Promise<Row[]> {
  const k = `${ds.events.toLocaleString('en-US')} events`;
  const first = `vcstore first store after an open from checkpoint, ${k}`;
  const next = `vcstore the store after it, ${k}`;
  const { size } = await stat(ds.journal);
  const stateFile = path.join(ds.roots.run, ds.sandbox, 'state.json');
  const state = await readFile(stateFile);
  const firstTimes: number[] = [];
  const nextTimes: number[] = [];
  for (let r = 0; r < ctx.sizes.openRepeats(ds.events); r++) {
    await putCheckpointBack();
    const store = new Store({ roots: ds.roots });
    try {
      await store.seq(ds.sandbox);
      firstTimes.push(
        await seconds(() => store.storeSandboxResource(ds.sandbox, 'state', { type: 'State', value: stateValue(r) })),
      );
      nextTimes.push(
        await seconds(() =>
          store.storeSandboxResource(ds.sandbox, 'state', { type: 'State', value: stateValue(r + 1) }),
        ),
      );
    } finally {
      await store.close();
      await truncate(ds.journal, size);
      await writeFile(stateFile, state);
    }
  }
  const ms = (xs: number[]) => median(xs) * 1000;
  return [
    compare('open', first, ms(firstTimes), 'ms', next, ms(nextTimes), undefined, 'waits for the check of the prefix'),
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
