import { rootsUnder } from '../../../src/layout/roots.ts';
import { SETTLE_MS } from '../../../src/watch/watcher.ts';
import { events } from '../../helpers/store.ts';
import type { Mode, Suite } from '../context.ts';
import { interleave, type Plan } from '../measure.ts';
import { alone, compare, type Row } from '../report.ts';
import { layOut } from '../legacy-files.ts';
import { legacyWriter, startWatch } from '../watch-process.ts';
import { measureRun, percentile, Tally, type RunFigures } from '../watch-tally.ts';
import { legacyWrite } from './legacy.ts';
import { limitLoop } from './limit.ts';

const SANDBOXES = 16;
/** Containers per sandbox at full speed: a state.json per sandbox, a state.json and a process.json per container. */
const FULL_CONTAINERS = 3;
/** In the paced run a path is rewritten at most this often, so that every write can settle before the next. */
const PACED_INTERVAL_MS = 2 * SETTLE_MS;

/** The baselines' rounds; seconds of the writer alone, then watched at full speed, then watched and paced. */
const SIZES: Record<Mode, { legacy: Plan; aloneSeconds: number; fullSeconds: number; pacedSeconds: number }> = {
  full: { legacy: { rounds: 7, opsPerRound: 500, warmup: 100 }, aloneSeconds: 5, fullSeconds: 15, pacedSeconds: 15 },
  quick: { legacy: { rounds: 3, opsPerRound: 300, warmup: 50 }, aloneSeconds: 2, fullSeconds: 5, pacedSeconds: 5 },
  smoke: { legacy: { rounds: 1, opsPerRound: 30, warmup: 0 }, aloneSeconds: 0.2, fullSeconds: 0.3, pacedSeconds: 0.3 },
};

/** Containers per sandbox that spread `rate` writes/s so that each path is rewritten at most every PACED_INTERVAL_MS. */
const pacedContainers = (rate: number) =>
  Math.min(128, Math.max(1, Math.ceil(((rate * PACED_INTERVAL_MS) / 1000 / SANDBOXES - 1) / 2)));

const n = (x: number) => Math.round(x).toLocaleString('en-US');
const ms = (x: number | null) => (x === null ? 'n/a' : `${x.toFixed(0)} ms`);

const LAG_NOTE = `from the start of a write (its time, stamped into the content before open(O_TRUNC)) to the arrival of its observe event on the stdout of \`vcstore watch --json\`, which prints an event once its append is fdatasynced: settle time (${SETTLE_MS} ms of quiet), read, append, sync and one pipe hop. Writes overwritten before the read have no event and no lag`;

/** The rows of one run of the writer beside the watcher. */
function runRows(label: string, r: RunFigures, paths: number): Row[] {
  const missed = r.writes - r.recorded;
  const cpu =
    r.watcherCpu === null ? '' : `; the watcher used ${((100 * r.watcherCpu) / r.seconds).toFixed(0)}% of a core`;
  return [
    alone(
      'watch',
      `watch: writes missed (overwritten before read), ${label}`,
      (100 * missed) / Math.max(1, r.writes),
      '%',
      `${n(missed)} of ${n(r.writes)} writes never recorded as a value (coalesced: the next write to the file landed first); ${n(r.recorded)} recorded, ${n(r.torn)} reads recorded as torn${cpu}`,
    ),
    alone(
      'watch',
      `watch: longest-lived write missed, ${label}`,
      r.missedLifetimes.at(-1) ?? null,
      'ms',
      `${r.missedLifetimes.length === 0 ? 'none missed' : `how long the longest of the missed writes stayed in place before the next write to its file (median of the missed: ${ms(percentile(r.missedLifetimes, 50))})`}; of the ${n(r.long.writes)} writes that stayed ${PACED_INTERVAL_MS} ms or more, ${n(r.long.recorded)} were recorded`,
    ),
    alone(
      'watch',
      `watch: final state recorded after the writer stopped, ${label}`,
      r.finalMs,
      'ms',
      r.finalMs === null
        ? 'the final content of some file was not recorded within 60 s'
        : `from the writer's last write to the final content of the last of its ${paths} files durable`,
    ),
    alone(
      'watch',
      `watch: lag p50, ${label}`,
      percentile(r.lags, 50),
      'ms',
      `${LAG_NOTE}; of which write → read (the event's own time, taken after the read and before the append): p50 ${ms(percentile(r.readDelays, 50))}`,
    ),
    alone(
      'watch',
      `watch: lag p99, ${label}`,
      percentile(r.lags, 99),
      'ms',
      `as p50; of which write → read: p99 ${ms(percentile(r.readDelays, 99))}`,
    ),
  ];
}

/**
 * `vcstore watch` beside a legacy writer process, both as a host runs them:
 * once with the writer at full speed, once paced at the legacy write rate
 * measured in the same run with its writes spread so that each can settle.
 */
export const watchSuite: Suite = {
  name: 'watch',
  about:
    'vcstore watch beside a legacy writer on 16 sandboxes: observe events/s, misses and lag, against the legacy write',
  async run(ctx) {
    const sizes = SIZES[ctx.mode];
    // The baseline: the stores suite's legacy write, measured again in this run.
    const legacyName = 'watch: legacy write (truncate+write+close, no fsync)';
    // And the disk's bare sync rate, which bounds the watcher's appends: context for the lag.
    const syncName = `watch: append+fdatasync of ${ctx.frameSize} B`;
    const rates = await interleave(
      [
        legacyWrite(legacyName, await ctx.folder('watch-legacy')),
        limitLoop(syncName, await ctx.folder('watch-sync'), ctx.frameSize),
      ],
      sizes.legacy,
    );
    const legacy = rates.get(legacyName) ?? { opsPerSec: 0, samples: [] };
    const sync = rates.get(syncName) ?? { opsPerSec: 0, samples: [] };
    const rate = Math.max(1, Math.round(legacy.opsPerSec));

    const root = await ctx.folder('watch');
    const fullShape = { sandboxes: SANDBOXES, containers: FULL_CONTAINERS };
    const pacedShape = { sandboxes: SANDBOXES, containers: pacedContainers(rate) };
    const fullPaths = layOut(root, 'full', fullShape);
    const pacedPaths = layOut(root, 'paced', pacedShape);
    const writer = legacyWriter(root);
    await writer.ready;
    // The same writer with nothing watching: what the watcher costs the runtime it sits beside.
    const unwatched = await writer.run('full', fullShape, { seconds: sizes.aloneSeconds, rate: 0 });

    const tallies = { full: new Tally(), paced: new Tally() };
    let printed = 0;
    // Started once both trees are laid out: its first scan adopts them, and every event after it is an observation.
    const watch = await startWatch(root, (event, at) => {
      if (event.op !== 'observe') return;
      printed++;
      if (event.sandbox.startsWith('full')) tallies.full.add(event, at);
      else if (event.sandbox.startsWith('paced')) tallies.paced.add(event, at);
    });
    const opts = { longMs: PACED_INTERVAL_MS, cpu: () => watch.cpuSeconds() };
    let a: RunFigures;
    let b: RunFigures;
    try {
      const fullLoad = { seconds: sizes.fullSeconds, rate: 0 };
      a = await measureRun(() => writer.run('full', fullShape, fullLoad), fullPaths.length, tallies.full, opts);
      const pacedLoad = { seconds: sizes.pacedSeconds, rate, spacingMs: PACED_INTERVAL_MS };
      b = await measureRun(() => writer.run('paced', pacedShape, pacedLoad), pacedPaths.length, tallies.paced, opts);
    } finally {
      await Promise.all([watch.stop(), writer.stop()]);
    }

    // The counts come from what was printed; the journals must hold the same.
    const roots = rootsUnder(root);
    let journaled = 0;
    for (const tag of ['full', 'paced'])
      for (let s = 0; s < SANDBOXES; s++)
        journaled += (await events(roots, `${tag}${s}`)).filter((e) => e.op === 'observe').length;
    const checks = [
      journaled === printed ? '' : `the journals hold ${journaled} observe events, the watcher printed ${printed}`,
      watch.rescans().length === 0 ? '' : `${watch.rescans().length} rescans during the run (a gap was possible)`,
    ].filter(Boolean);
    const checked = checks.length > 0 ? `; ${checks.join('; ')}` : `; the journals hold every event counted`;

    // The file counts follow the measured legacy rate, so they go in the notes: figure names stay the same run to run.
    const scope = `${SANDBOXES} sandboxes`;
    const every = Math.round((1000 * pacedPaths.length) / rate);
    const unwatchedRate = unwatched.writes / ((unwatched.ended - unwatched.began) / 1000);
    const unwatchedName = `watch: legacy writer process at full speed, unwatched, ${scope}`;
    const watchedName = `watch: legacy writer process at full speed, watched, ${scope}`;
    return [
      {
        ...alone(
          'watch',
          legacyName,
          legacy.opsPerSec,
          'ops/s',
          'the legacy write of the stores suite, measured again in this run',
        ),
        samples: legacy.samples,
      },
      {
        ...alone(
          'watch',
          syncName,
          sync.opsPerSec,
          'ops/s',
          "the stores suite's limit loop in the same rounds: how fast this disk syncs while the figures below are taken",
        ),
        samples: sync.samples,
      },
      alone(
        'watch',
        unwatchedName,
        unwatchedRate,
        'ops/s',
        `the writer below on the same files for ${sizes.aloneSeconds} s before the watcher started: blocking calls as Go's, its files rewritten in turn`,
      ),
      compare(
        'watch',
        watchedName,
        a.writes / a.seconds,
        'ops/s',
        legacyName,
        legacy.opsPerSec,
        undefined,
        `a process of its own while \`vcstore watch\` ran: ${n(a.writes)} writes in ${a.seconds.toFixed(1)} s, each file rewritten every ${ms((1000 * a.seconds * fullPaths.length) / Math.max(1, a.writes))} on average`,
      ),
      compare(
        'watch',
        watchedName,
        a.writes / a.seconds,
        'ops/s',
        unwatchedName,
        unwatchedRate,
        undefined,
        'what the watcher (its reads, and its journal syncs on the same disk and cores) costs the runtime beside it',
      ),
      compare(
        'watch',
        `watch: observe events at full speed, ${scope}`,
        a.observedPerSec,
        'events/s',
        legacyName,
        legacy.opsPerSec,
        undefined,
        `durable observe events while the writer ran at full speed on ${fullPaths.length / SANDBOXES} files per sandbox; a write overwritten before the watcher read it has none (see writes missed)${checked}`,
      ),
      ...runRows('full speed', a, fullPaths.length),
      compare(
        'watch',
        `watch: writes recorded/s, paced at the legacy write rate, ${scope}`,
        b.recorded / b.seconds,
        'events/s',
        legacyName,
        legacy.opsPerSec,
        { op: '>=', ratio: 1 },
        `distinct writes recorded as values per second of writing: the watcher keeps up if it records every write that lasts; ${pacedPaths.length / SANDBOXES} files per sandbox; the writer asked for ${n(rate)} writes/s (the legacy write above) and reached ${n(b.writes / b.seconds)}; at the rate asked each file is rewritten every ${every} ms (${PACED_INTERVAL_MS} ms at least); a late writer catches up only as far as each file still stays ${PACED_INTERVAL_MS} ms, and slips beyond`,
      ),
      ...runRows('paced at the legacy write rate', b, pacedPaths.length),
    ];
  },
};
