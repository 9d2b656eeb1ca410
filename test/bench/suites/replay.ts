import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { replayJournal } from '../../../src/projector/replay.ts';
import { verifySandbox } from '../../../src/recovery/verify.ts';
import type { Suite } from '../context.ts';
import type { Dataset } from '../dataset.ts';
import { interleaveTimes } from '../measure.ts';
import { alone, compare } from '../report.ts';
import { NO_SQLITE, sqliteDriver } from '../sqlite-driver.ts';
import { sqliteRead } from './sqlite.ts';

const RSS_WORKER = fileURLToPath(new URL('../workers/replay-rss.ts', import.meta.url));
const MB_LIMIT = 150;
const REPLAY_RATE = 300_000;

/** What `vcstore verify` does for one sandbox; it must have read every event. */
async function verifyAll(ds: Dataset): Promise<void> {
  const verdict = await verifySandbox(ds.roots, ds.sandbox);
  if (verdict.events !== ds.events || !verdict.consistent) throw new Error(`verify: ${JSON.stringify(verdict)}`);
}

/** Peak RSS of a child process replaying `file` (or, given `--idle`, idle with the same modules loaded). */
async function peakRss(file: string): Promise<{ maxRssMB: number; sampledMB: number }> {
  const child = fork(RSS_WORKER, [file], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
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
    };
    const t = await interleaveTimes(
      {
        ...(ds.sqlite === null
          ? {}
          : { [names.sqlite]: { timed: () => Promise.resolve(sqliteRead(ds.sqlite!, ds.sandbox)) } }),
        [names.verify]: { timed: () => verifyAll(ds) },
        [names.replay]: { timed: () => replayJournal(ds.journal) },
      },
      ctx.sizes.replayRepeats,
    );
    const rate = (name: string) => (t[name] === undefined ? null : ds.events / t[name]);
    const noSql = sqliteDriver() ? undefined : NO_SQLITE;
    const idle = await peakRss('--idle');
    const busy = await peakRss(ds.journal);
    const rss = `peak RSS, replay of ${k}`;
    const idleName = 'idle process, same modules loaded';
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
        { op: '>=', ratio: 1 },
        noSql,
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
        `maxRSS of the child process; sampled peak ${busy.sampledMB.toFixed(1)} MB`,
      ),
      compare('replay', rss, busy.maxRssMB, 'MB', `target ${MB_LIMIT} MB`, MB_LIMIT, { op: '<', ratio: 1 }),
    ];
  },
};
