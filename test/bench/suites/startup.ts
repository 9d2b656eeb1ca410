import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Suite } from '../context.ts';
import { interleaveTimes } from '../measure.ts';
import { alone, compare, type Row } from '../report.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = path.join(ROOT, 'dist', 'bin', 'vcstore.js');
const PROBE = fileURLToPath(new URL('../rss-probe.mjs', import.meta.url));
const run = promisify(execFile);

const REPEATS = { full: 40, quick: 15, smoke: 1 } as const;
const RSS_MB = 60;

/** One CLI call as a runtime makes it: a new process, with the installed (compiled) package. */
const cli = (args: string[]) => run(process.execPath, [BIN, ...args], { env: { ...process.env, VCSTORE_LOG: '' } });

/** Peak RSS of one run, in MB, measured from inside the process as it exits. */
async function peakRssMB(args: string[], out: string): Promise<number> {
  await run(process.execPath, ['--import', PROBE, ...args], {
    env: { ...process.env, VCSTORE_LOG: '', VCSTORE_RSS_OUT: out },
  });
  return Number(await readFile(out, 'utf8')) / 1024;
}

/**
 * What a runtime pays to call the CLI once per operation: the start of `--help`
 * (no store loaded) and of a one-op `apply` (a durable store, fsync included),
 * against `node -e 0` in the same rounds, and the peak memory of each.
 */
export const startupSuite: Suite = {
  name: 'startup',
  about: 'the CLI as a runtime calls it: --help and a one-op apply against node -e 0, and their peak RSS',
  async run(ctx) {
    if (!existsSync(BIN)) execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 2, 2] });
    const dir = await ctx.folder('startup');
    const root = path.join(dir, 'root');
    const ops = path.join(dir, 'one-op.json');
    const create = [{ method: 'createAllResources', sandboxID: 'sb', data: { sandboxID: 'sb', containerIDs: [] } }];
    await writeFile(path.join(dir, 'create.json'), JSON.stringify(create));
    await cli(['apply', '--root', root, path.join(dir, 'create.json')]);
    const op = {
      method: 'storeSandboxResource',
      sandboxID: 'sb',
      resource: 'stateFileType',
      goType: 'virtcontainers.State',
      data: { state: 'running' },
    };
    await writeFile(ops, JSON.stringify([op]));

    const names = { node: 'node -e 0', help: 'vcstore --help', apply: 'vcstore apply, one store' };
    const t = await interleaveTimes(
      {
        [names.node]: { timed: () => run(process.execPath, ['-e', '0']) },
        [names.help]: { timed: () => cli(['--help']) },
        [names.apply]: { timed: () => cli(['apply', '--root', root, ops]) },
      },
      REPEATS[ctx.mode],
    );
    const ms = (name: string) => (t[name] ?? 0) * 1000;
    const rssOut = path.join(dir, 'rss');
    const rss = {
      node: await peakRssMB(['-e', '0'], rssOut),
      help: await peakRssMB([BIN, '--help'], rssOut),
      apply: await peakRssMB([BIN, 'apply', '--root', root, ops], rssOut),
    };
    const rssNames = {
      node: 'peak RSS, node -e 0',
      help: 'peak RSS, vcstore --help (idle)',
      apply: 'peak RSS, vcstore apply, one store',
    };
    const rows: Row[] = [
      alone('startup', names.node, ms(names.node), 'ms', 'a bare Node.js start, the floor of any CLI'),
      compare(
        'startup',
        names.help,
        ms(names.help),
        'ms',
        names.node,
        ms(names.node),
        { op: '<=', ratio: 2.5 },
        'commander and the command table only',
      ),
      compare(
        'startup',
        names.apply,
        ms(names.apply),
        'ms',
        names.node,
        ms(names.node),
        { op: '<=', ratio: 3 },
        'load, parse, journal append + fdatasync, projection',
      ),
      alone('startup', rssNames.node, rss.node, 'MB'),
      compare('startup', rssNames.help, rss.help, 'MB', `target ${RSS_MB} MB`, RSS_MB, { op: '<=', ratio: 1 }),
      compare('startup', rssNames.apply, rss.apply, 'MB', `target ${RSS_MB} MB`, RSS_MB, { op: '<=', ratio: 1 }),
    ];
    return rows;
  },
};
