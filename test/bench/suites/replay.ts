import { fork } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { replayJournal } from '../../../src/projector/replay.ts';
import { verifySandbox } from '../../../src/recovery/verify.ts';
import type { Suite } from '../context.ts';
import type { Dataset } from '../dataset.ts';
import { interleaveTimes } from '../measure.ts';
import { alone, compare } from '../report.ts';
import { NO_SQLITE, sqliteDriver } from '../sqlite-driver.ts';
import { sqliteRead } from './sqlite.ts';

const RSS_WORKER = fileURLToPath(new URL('../workers/replay-rss.ts', import.meta.url));
const MB_LIMIT = 100;
const REPLAY_RATE = 300_000;

/** What `vcstore verify` does for one sandbox; it must have read every event. */
async function verifyAll(ds: Dataset): Promise<void> {
  const verdict = await verifySandbox(ds.roots, ds.sandbox);
  if (verdict.events !== ds.events || !verdict.consistent) throw new Error(`verify: ${JSON.stringify(verdict)}`);
}

/**
 * The RSS worker compiled to one JavaScript file, as the installed package
 * runs (compiled, not through tsx, whose loader alone holds about 40 MB).
 */
async function bundleWorker(dir: string): Promise<string> {
  const outfile = path.join(dir, 'replay-rss.mjs');
  await build({
    entryPoints: [RSS_WORKER],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20.19',
    logLevel: 'warning',
    banner: {
      js: "import { createRequire as __vcstoreRequire } from 'node:module'; const require = __vcstoreRequire(import.meta.url);",
    },
  });
  return outfile;
}

/** Peak RSS of a child process replaying `file` (or, for `--idle`, with the same modules loaded). */
async function peakRss(worker: string, file: string): Promise<{ maxRssMB: number; sampledMB: number }> {
  const child = fork(worker, [file], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const [msg] = (await once(child, 'message')) as [{ maxRssMB: number; sampledMB: number }];
  await once(child, 'exit');
  return msg;
}

/** verify and replay throughput against SQLite's read of the same events, and the memory a replay needs. */
export const replaySuite: Suite = {
  name: 'replay',
  about: 'verify and replay throughput against SQLite reading the same events; peak RSS of a replay',
  async run(ctx) {
    const ds = await ctx.dataset(Math.max(...ctx.sizes.histories));
    const k = `${ds.events.toLocaleString('en-US')} events`;
    const names = {
      sqlite: `SQLite read + parse, ${k}`,
      verify: `vcstore verify, ${k}`,
      replay: `vcstore replay, ${k}`,
      schema: `vcstore replay with the schema checked, ${k}`,
    };
    const t = await interleaveTimes(
      {
        ...(ds.sqlite === null
          ? {}
          : { [names.sqlite]: { timed: () => Promise.resolve(sqliteRead(ds.sqlite!, ds.sandbox)) } }),
        [names.verify]: { timed: () => verifyAll(ds) },
        [names.replay]: { timed: () => replayJournal(ds.journal) },
        [names.schema]: { timed: () => replayJournal(ds.journal, {}, { checkSchema: true }) },
      },
      ctx.sizes.replayRepeats,
    );
    const rate = (name: string) => (t[name] === undefined ? null : ds.events / t[name]);
    const noSql = sqliteDriver() ? undefined : NO_SQLITE;
    const worker = await bundleWorker(await ctx.folder('rss'));
    const idle = await peakRss(worker, '--idle');
    const busy = await peakRss(worker, ds.journal);
    const rss = `peak RSS, replay of ${k}`;
    const idleName = 'idle process, same modules loaded (compiled)';
    return [
      alone(
        'replay',
        names.sqlite,
        rate(names.sqlite),
        'events/s',
        noSql ?? 'SELECT body … ORDER BY seq, JSON.parse of each',
      ),
      compare(
        'replay',
        names.verify,
        rate(names.verify),
        'events/s',
        names.sqlite,
        rate(names.sqlite),
        undefined,
        noSql ?? 'CRC, chain and schema of every record, then the tree compared',
      ),
      compare(
        'replay',
        names.replay,
        rate(names.replay),
        'events/s',
        names.sqlite,
        rate(names.sqlite),
        { op: '>=', ratio: 0.5 },
        noSql ?? 'CRC and chain of every record; the schema was checked on write, and verify checks it',
      ),
      compare(
        'replay',
        names.schema,
        rate(names.schema),
        'events/s',
        names.replay,
        rate(names.replay),
        undefined,
        'the same replay with the zod schema of every record checked, as before the fast path',
      ),
      compare(
        'replay',
        names.replay,
        rate(names.replay),
        'events/s',
        `target ${REPLAY_RATE.toLocaleString('en-US')} events/s`,
        REPLAY_RATE,
        { op: '>=', ratio: 1 },
      ),
      alone('replay', idleName, idle.maxRssMB, 'MB'),
      compare(
        'replay',
        rss,
        busy.maxRssMB,
        'MB',
        idleName,
        idle.maxRssMB,
        undefined,
        `maxRSS of the child process, compiled JavaScript; sampled peak ${busy.sampledMB.toFixed(1)} MB`,
      ),
      compare('replay', rss, busy.maxRssMB, 'MB', `target ${MB_LIMIT} MB`, MB_LIMIT, { op: '<', ratio: 1 }),
    ];
  },
};
