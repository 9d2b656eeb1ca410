import type { Command } from 'commander';
import { rootsUnder } from '../../layout/roots.ts';
import type { Logger } from '../../log.ts';
import { parseDuration } from '../../ship/duration.ts';
import { prune } from '../../ship/prune.ts';
import { ROOT_ABOUT, ROOT_FLAG, say } from '../audit-args.ts';

export function pruneCommand(command: Command, log: () => Logger): void {
  command
    .requiredOption(ROOT_FLAG, ROOT_ABOUT)
    .requiredOption('--older-than <duration>', 'deleted at least this long ago: 90s, 15m, 12h, 30d, 1d12h')
    .option('--dry-run', 'say what would be removed, remove nothing')
    .option('--json', 'one JSON line per sandbox')
    .action(async (opts: { root: string; olderThan: string; dryRun?: boolean; json?: boolean }) => {
      const cutoff = new Date(Date.now() - parseDuration(opts.olderThan)).toISOString();
      const verdicts = await prune(rootsUnder(opts.root), { cutoff, dryRun: opts.dryRun === true, log: log() });
      for (const v of verdicts) {
        say(
          opts.json
            ? JSON.stringify(v)
            : `${v.sandbox}: ${v.action} (${v.events} events, ${v.bytes} bytes): ${v.reason}`,
        );
      }
    });
}
