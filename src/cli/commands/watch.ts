import { InvalidArgumentError, type Command } from 'commander';
import { rootsUnder } from '../../layout/roots.ts';
import type { Logger } from '../../log.ts';
import type { DriftPolicy } from '../../store/drift.ts';
import { SETTLE_MS, TreeWatcher } from '../../watch/watcher.ts';
import { ROOT_ABOUT, ROOT_FLAG, say } from '../audit-args.ts';
import { onDriftOption } from '../drift-option.ts';
import { describeEvent } from '../format.ts';

interface WatchCliOptions {
  root: string;
  onDrift: DriftPolicy;
  settleMs: number;
  json?: boolean;
}

export function watchCommand(command: Command, log: () => Logger): void {
  command
    .requiredOption(ROOT_FLAG, ROOT_ABOUT)
    .addOption(onDriftOption('adopt'))
    .option('--settle-ms <n>', 'read a file once it has been quiet this long', msArg, SETTLE_MS)
    .option('--json', 'one JSON event per line')
    .action(async (opts: WatchCliOptions) => {
      const watcher = new TreeWatcher({
        roots: rootsUnder(opts.root),
        log: log(),
        drift: opts.onDrift,
        settleMs: opts.settleMs,
        onEvents: (events) => {
          for (const event of events) say(opts.json ? JSON.stringify(event) : describeEvent(event));
        },
      });
      await watcher.start();
      log().info({ root: opts.root }, 'watching');
      const stopped = new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await stopped;
      await watcher.close();
      log().info({ root: opts.root }, 'stopped watching');
    });
}

function msArg(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected milliseconds');
  return Number(value);
}
