import { InvalidArgumentError, type Command } from 'commander';
import { rootsUnder } from '../../layout/roots.ts';
import type { Logger } from '../../log.ts';
import type { DriftPolicy } from '../../store/drift.ts';
import { CHECK_MS, SETTLE_MS, TreeWatcher } from '../../watch/watcher.ts';
import { ROOT_ABOUT, ROOT_FLAG, say } from '../audit-args.ts';
import { onDriftOption } from '../drift-option.ts';
import { describeEvent } from '../format.ts';

interface WatchCliOptions {
  root: string;
  onDrift: DriftPolicy;
  settleMs: number;
  checkMs: number;
  json?: boolean;
}

export function watchCommand(command: Command, log: () => Logger): void {
  command
    .requiredOption(ROOT_FLAG, ROOT_ABOUT)
    .addOption(onDriftOption('adopt'))
    .option('--settle-ms <n>', 'read a file once it has been quiet this long', msArg, SETTLE_MS)
    .option(
      '--check-ms <n>',
      "compare the tree's metadata this often, for writes whose event was lost",
      msArg,
      CHECK_MS,
    )
    .option('--json', 'one JSON event per line')
    .action(async (opts: WatchCliOptions) => {
      const watcher = new TreeWatcher({
        roots: rootsUnder(opts.root),
        log: log(),
        drift: opts.onDrift,
        settleMs: opts.settleMs,
        checkMs: opts.checkMs,
        onEvents: (events) => {
          for (const event of events) say(opts.json ? JSON.stringify(event) : describeEvent(event));
        },
      });
      // Listened for before the first scan, which may take long on a large tree: a stop ends it too.
      const stopped = new Promise<void>((resolve) => {
        const stop = (signal: NodeJS.Signals) => {
          log().info({ signal }, 'stopping');
          resolve();
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await Promise.race([watcher.start().then(() => log().info({ root: opts.root }, 'watching')), stopped]);
      await stopped;
      await watcher.close();
      log().info({ root: opts.root }, 'stopped watching');
    });
}

function msArg(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected milliseconds');
  return Number(value);
}
