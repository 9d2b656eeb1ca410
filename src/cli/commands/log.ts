import type { Command } from 'commander';
import type { EventFilter } from '../../audit/filter.ts';
import { history } from '../../audit/history.ts';
import { errUsage } from '../../errors.ts';
import type { Logger } from '../../log.ts';
import { resourceArg, ROOT_ABOUT, ROOT_FLAG, say, seqArg, timeArg } from '../audit-args.ts';
import { natsOptions, withJournal, type RemoteOptions } from '../remote-args.ts';
import { describeEvent } from '../format.ts';

const OPS = ['create', 'store', 'delete', 'reboot', 'observe'];
const SOURCES = ['observed', 'vcstore'];

interface LogOptions extends EventFilter, RemoteOptions {
  sandbox: string;
  json?: boolean;
  follow?: boolean;
}

export function logCommand(command: Command, log: () => Logger): void {
  natsOptions(
    command
      .option(ROOT_FLAG, ROOT_ABOUT)
      .requiredOption('--sandbox <id>', 'the sandbox')
      .option('--container <id>', 'only events that touch this container')
      .option('--resource <name>', 'only events that touch this resource (state, config, …)', resourceArg)
      .option('--op <op>', `only this operation (${OPS.join(', ')})`)
      .option('--source <who>', 'only outside writes vcstore observed (observed) or only its own events (vcstore)')
      .option('--since <time>', 'only events at or after this time (ISO 8601 date or timestamp, UTC)', timeArg('start'))
      .option('--until <time>', 'only events at or before this time (a date includes the whole day)', timeArg('end'))
      .option('--from-seq <n>', 'only events from this sequence number on', seqArg)
      .option('--to-seq <n>', 'only events up to this sequence number', seqArg)
      .option('--follow', 'keep printing events as they are appended, until interrupted')
      .option('--json', 'one JSON event per line'),
  ).action(async (opts: LogOptions) => {
    if (opts.op !== undefined && !OPS.includes(opts.op))
      throw errUsage(`unknown --op ${JSON.stringify(opts.op)} (use ${OPS.join(', ')})`);
    if (opts.source !== undefined && !SOURCES.includes(opts.source))
      throw errUsage(`unknown --source ${JSON.stringify(opts.source)} (use ${SOURCES.join(', ')})`);
    if (opts.follow && opts.from !== undefined) throw errUsage('--follow reads a local journal: not with --from');
    await withJournal(opts, async (file) => {
      const onTornTail = (t: { offset: number; bytes: number }) =>
        log().warn({ file, ...t }, 'journal ends in a torn record (ignored; a writer will truncate it)');
      const stop = new AbortController();
      const interrupt = () => stop.abort();
      if (opts.follow) process.once('SIGINT', interrupt);
      try {
        const follow = opts.follow ? { follow: { signal: stop.signal } } : {};
        for await (const event of history(file, opts, { log: log(), onTornTail, ...follow })) {
          say(opts.json ? JSON.stringify(event) : describeEvent(event));
        }
      } finally {
        process.off('SIGINT', interrupt);
      }
    });
  });
}
