import { pino } from 'pino';
import { lockSandbox, type WriterLock } from '../../../src/store/writer-lock.ts';
import type { Suite } from '../context.ts';
import { interleave, type Workload } from '../measure.ts';
import { alone, compare, withSamples } from '../report.ts';
import { limitLoop, overwriteLoop, storeIoLoop } from './limit.ts';

/** `check()` of the cross-process writer lock, which the store calls before every group it appends. */
function lockCheckLoop(name: string, dir: string): Workload {
  let lock: WriterLock | undefined;
  return {
    name,
    async setup() {
      lock = await lockSandbox(dir, 'sb', pino({ level: 'silent' }));
    },
    run(n) {
      for (let i = 0; i < n; i++) lock!.check();
      return Promise.resolve();
    },
    async teardown() {
      await lock?.release();
    },
  };
}

/**
 * The journal's own costs next to the disk's limit: preallocated space
 * against appending (issue 14: does overwriting in place win here?), and the
 * per-group check of the writer lock.
 */
export const journalSuite: Suite = {
  name: 'journal',
  about: 'preallocated overwrite against append (each + fdatasync), and the writer lock check per group',
  async run(ctx) {
    const plan = ctx.sizes.stores;
    const append = 'journal: append+fdatasync';
    const wrap = 'journal: overwrite+fdatasync, 8 MiB written and synced first, wrapping';
    const ahead = 'journal: overwrite+fdatasync, zeros written 1 MiB ahead';
    const storeIo = "a store's I/O: append+fdatasync, temp write, rename";
    const storeIoAhead = "a store's I/O, the journal written into zeros 1 MiB ahead";
    const rates = await interleave(
      [
        limitLoop(append, await ctx.folder('append'), ctx.frameSize),
        overwriteLoop(wrap, await ctx.folder('wrap'), ctx.frameSize),
        storeIoLoop(ahead, await ctx.folder('ahead'), ctx.frameSize, {
          preallocated: true,
          sandboxes: 1,
          project: false,
        }),
        storeIoLoop(storeIo, await ctx.folder('store-io'), ctx.frameSize, {
          preallocated: false,
          sandboxes: 1,
          project: true,
        }),
        storeIoLoop(storeIoAhead, await ctx.folder('store-io-ahead'), ctx.frameSize, {
          preallocated: true,
          sandboxes: 1,
          project: true,
        }),
      ],
      plan,
    );
    const r = (name: string) => rates.get(name)?.opsPerSec ?? null;
    const check = 'writer lock check()';
    // Microseconds each: timed in many more calls than a store round, alone (it touches no disk).
    const checks = await interleave([lockCheckLoop(check, await ctx.folder('lock'))], {
      rounds: plan.rounds,
      opsPerRound: plan.opsPerRound * 20,
      warmup: plan.warmup * 20,
    });
    const checkRate = checks.get(check)?.opsPerSec ?? null;
    const perGroup = (rate: number | null) => (rate === null ? 'n/a' : `${(1e6 / rate).toFixed(1)} µs`);
    const rows = [
      alone('journal', append, r(append), 'ops/s'),
      compare('journal', wrap, r(wrap), 'ops/s', append, r(append)),
      compare(
        'journal',
        ahead,
        r(ahead),
        'ops/s',
        append,
        r(append),
        undefined,
        'what a preallocating journal would get, the zeros it writes included',
      ),
      compare('journal', storeIo, r(storeIo), 'ops/s', append, r(append), undefined, 'no JavaScript: the I/O alone'),
      compare(
        'journal',
        storeIoAhead,
        r(storeIoAhead),
        'ops/s',
        storeIo,
        r(storeIo),
        undefined,
        'does preallocation still win beside the rename?',
      ),
      compare(
        'journal',
        check,
        checkRate,
        'ops/s',
        append,
        r(append),
        undefined,
        `${perGroup(checkRate)} per group, against ${perGroup(r(append))} per append+fdatasync: one readlink(2)`,
      ),
    ];
    return withSamples(rows, (f) => (rates.get(f) ?? checks.get(f))?.samples);
  },
};
