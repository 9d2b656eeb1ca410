import path from 'node:path';
import { rootsUnder } from '../../../src/layout/roots.ts';
import { Store } from '../../../src/store/store.ts';
import type { Suite } from '../context.ts';
import { concurrently, interleave, type Workload } from '../measure.ts';
import { alone, compare, withSamples, type Row } from '../report.ts';
import { stateData } from '../workload.ts';
import { legacyWrite } from './legacy.ts';
import { limitLoop, overwriteLoop, storeIoLoop, syncLoop } from './limit.ts';
import { NO_SQLITE, sqliteDriver } from '../sqlite-driver.ts';
import { sqliteStores } from './sqlite.ts';

/** `writers` async loops in one process, each awaiting its store, on one sandbox or one sandbox each. */
export function vcstoreStores(name: string, dir: string, writers: number, sandboxes: 1 | 'each'): Workload {
  let store: Store | undefined;
  const ids = Array.from({ length: sandboxes === 1 ? 1 : writers }, (_, k) => `sb${k}`);
  let i = 0;
  return {
    name,
    async setup() {
      store = new Store({ roots: rootsUnder(dir) });
      for (const id of ids) await store.createAllResources({ id });
    },
    run: (n) =>
      concurrently(n, writers, (w) => store!.storeSandboxResource(ids[w % ids.length]!, 'state', stateData(i++))),
    async teardown() {
      await store?.close();
    },
  };
}

const SHAPES = [
  { label: '1 writer', writers: 1, sandboxes: 1 },
  { label: '16 writers, 1 sandbox', writers: 16, sandboxes: 1 },
  { label: '64 writers, 1 sandbox', writers: 64, sandboxes: 1 },
  { label: '16 writers, 16 sandboxes', writers: 16, sandboxes: 'each' },
  { label: '64 writers, 64 sandboxes', writers: 64, sandboxes: 'each' },
] as const;

/** What each shape should reach over one writer: group commit on one sandbox, overlap across sandboxes. */
const TARGETS_OVER_ONE: Partial<Record<(typeof SHAPES)[number]['label'], { op: '>='; ratio: number }>> = {
  '64 writers, 1 sandbox': { op: '>=', ratio: 10 },
  '16 writers, 16 sandboxes': { op: '>=', ratio: 3 },
};

/** Stores in one process, every figure and its baselines taking turns in the same rounds. */
export const storesSuite: Suite = {
  name: 'stores',
  about:
    'stores in one process: 1, 16 and 64 writers, one sandbox and many, against the limit, the legacy write and SQLite',
  async run(ctx) {
    const limitName = `limit: append+fdatasync of ${ctx.frameSize} B`;
    const overwriteName = `limit variant: overwrite+fdatasync of ${ctx.frameSize} B, preallocated file`;
    const syncName = `limit variant: append+fdatasync of ${ctx.frameSize} B, synchronous calls`;
    const legacyName = 'legacy write (truncate+write+close, no fsync)';
    const ioName = (sandboxes: number) =>
      `limit: a store's I/O (append+fdatasync, temp write, rename), ${sandboxes === 1 ? '1 sandbox' : `${sandboxes} sandboxes side by side`}`;
    const workloads: Workload[] = [
      limitLoop(limitName, await ctx.folder('limit'), ctx.frameSize),
      overwriteLoop(overwriteName, await ctx.folder('overwrite'), ctx.frameSize),
      syncLoop(syncName, await ctx.folder('sync'), ctx.frameSize),
      legacyWrite(legacyName, await ctx.folder('legacy')),
    ];
    for (const k of [1, 16])
      workloads.push(
        storeIoLoop(ioName(k), await ctx.folder('store-io'), ctx.frameSize, {
          preallocated: false,
          sandboxes: k,
          project: true,
        }),
      );
    for (const s of SHAPES) {
      if (sqliteDriver())
        workloads.push(
          sqliteStores(
            `SQLite, ${s.label}`,
            path.join(await ctx.folder('sqlite'), 'events.sqlite'),
            s.writers,
            s.sandboxes,
          ),
        );
      workloads.push(vcstoreStores(`vcstore store, ${s.label}`, await ctx.folder('vcstore'), s.writers, s.sandboxes));
    }
    const rates = await interleave(workloads, ctx.sizes.stores);
    const r = (name: string) => rates.get(name)?.opsPerSec ?? null;
    const noSql = sqliteDriver() ? undefined : NO_SQLITE;
    const one = 'vcstore store, 1 writer';
    const rows: Row[] = [
      alone(
        'stores',
        limitName,
        r(limitName),
        'ops/s',
        'the bare loop: one write and one fdatasync per record, nothing else',
      ),
      compare(
        'stores',
        overwriteName,
        r(overwriteName),
        'ops/s',
        limitName,
        r(limitName),
        undefined,
        'no file size to commit at each sync',
      ),
      compare(
        'stores',
        syncName,
        r(syncName),
        'ops/s',
        limitName,
        r(limitName),
        undefined,
        'no thread-pool round trips, as better-sqlite3',
      ),
      compare(
        'stores',
        legacyName,
        r(legacyName),
        'ops/s',
        limitName,
        r(limitName),
        undefined,
        'no fsync: not durable, so it may beat the limit',
      ),
    ];
    rows.push(
      compare(
        'stores',
        ioName(1),
        r(ioName(1)),
        'ops/s',
        limitName,
        r(limitName),
        undefined,
        'the ceiling of one writer',
      ),
      compare(
        'stores',
        ioName(16),
        r(ioName(16)),
        'ops/s',
        ioName(1),
        r(ioName(1)),
        undefined,
        'how far the disk overlaps sandboxes',
      ),
    );
    for (const s of SHAPES) {
      const sql = `SQLite, ${s.label}`;
      const vc = `vcstore store, ${s.label}`;
      rows.push(compare('stores', sql, r(sql), 'ops/s', limitName, r(limitName), undefined, noSql));
      if (s.writers === 1) {
        rows.push(compare('stores', vc, r(vc), 'ops/s', limitName, r(limitName), { op: '>=', ratio: 0.8 }));
        rows.push(compare('stores', vc, r(vc), 'ops/s', legacyName, r(legacyName)));
        rows.push(compare('stores', vc, r(vc), 'ops/s', ioName(1), r(ioName(1))));
      } else {
        const target = TARGETS_OVER_ONE[s.label];
        rows.push(compare('stores', vc, r(vc), 'ops/s', one, r(one), target));
        if (s.writers === 16 && s.sandboxes === 'each')
          rows.push(compare('stores', vc, r(vc), 'ops/s', ioName(16), r(ioName(16))));
      }
      rows.push(compare('stores', vc, r(vc), 'ops/s', sql, r(sql), { op: '>=', ratio: 1 }, noSql));
    }
    return withSamples(rows, (f) => rates.get(f)?.samples);
  },
};
