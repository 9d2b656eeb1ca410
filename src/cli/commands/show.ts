import type { Command } from 'commander';
import { resourceAt } from '../../audit/show.ts';
import { checkId } from '../../layout/ids.ts';
import type { Resource } from '../../layout/resources.ts';
import { rootsUnder } from '../../layout/roots.ts';
import type { Logger } from '../../log.ts';
import { diskPath } from '../../layout/tree-path.ts';
import { pointOf, resourceArg, ROOT_ABOUT, ROOT_FLAG, say, seqArg, timeArg } from '../audit-args.ts';
import { natsOptions, withJournal, type RemoteOptions } from '../remote-args.ts';
import { EXIT } from '../exit-codes.ts';

interface ShowOptions extends RemoteOptions {
  sandbox: string;
  container?: string;
  resource: Resource;
  at?: number;
  time?: string;
  json?: boolean;
}

export function showCommand(command: Command, log: () => Logger): void {
  natsOptions(
    command
      .option(ROOT_FLAG, ROOT_ABOUT)
      .requiredOption('--sandbox <id>', 'the sandbox')
      .option('--container <id>', 'a container resource rather than a sandbox one')
      .requiredOption(
        '--resource <name>',
        'config, state, network, hypervisor, agent, process, lock, mounts or devices',
        resourceArg,
      )
      .option('--at <seq>', 'right after this event', seqArg)
      .option('--time <time>', 'as it was at this time (ISO 8601, UTC)', timeArg('start'))
      .option('--json', 'a JSON object with the point, the path and the content'),
  ).action(async (opts: ShowOptions) => {
    if (opts.container !== undefined) checkId('container', opts.container);
    const where = {
      sandbox: opts.sandbox,
      resource: opts.resource,
      ...(opts.container === undefined ? {} : { container: opts.container }),
    };
    const found = await withJournal(opts, (file) =>
      resourceAt(file, where, pointOf(opts, { required: false }), { log: log() }),
    );
    // From the stream, the path is where the lost host kept the file.
    const path = diskPath(rootsUnder(opts.root ?? '/'), found.path);
    if (found.content === undefined) process.exitCode = EXIT.findings;
    if (opts.json) {
      say(
        JSON.stringify({
          sandbox: opts.sandbox,
          seq: found.seq,
          time: found.time ?? null,
          path,
          content: found.content ?? null,
          ...(found.writtenBy ? { writtenBy: found.writtenBy } : {}),
        }),
      );
    } else if (found.content === undefined) {
      process.stderr.write(`vcstore: ${path} did not exist after event ${found.seq}\n`);
    } else {
      const by = found.writtenBy;
      if (by?.source === 'observed')
        process.stderr.write(
          `vcstore: ${path} holds an outside write (pid unknown) seen at ${by.time}, event ${by.seq}\n`,
        );
      process.stdout.write(found.content); // the exact bytes, no newline added: what `cat` showed then
    }
  });
}
